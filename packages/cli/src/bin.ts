#!/usr/bin/env node
// The `weft` executable. Checks the Node version before loading anything native (better-sqlite3
// built for Node 22 crashes an older Node outright). A closed stdout (`weft audit verify | head
// -0`) is one error line and exit 1, never a crash and never exit 0 for a failed command.
const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 15)) {
  process.stderr.write(`error: weft needs Node.js >= 22.15 (this is ${process.versions.node})\n`);
  process.exit(1);
}

// Node would print warnings with a "(Use `node --trace-warnings ...`)" tail; one line is enough,
// and the store's dev-secret warning is replaced by the commands' own, more specific, message.
process.removeAllListeners("warning");
process.on("warning", (w) => {
  if ((w as { code?: string }).code === "WEFT_DEV_SECRET") return;
  process.stderr.write(`warning: ${w.message}\n`);
});

// Commands write stdout synchronously and report a failed write themselves (one line, exit 1);
// the stream may still emit the same error later, which must neither crash nor change the status.
process.stdout.on("error", () => {});
process.stderr.on("error", () => {});

const { main } = await import("./main.js");
process.exitCode = await main(process.argv.slice(2));
