#!/usr/bin/env node
// The `weft` executable. Checks the Node version before loading anything native (better-sqlite3
// built for Node 22 crashes an older Node outright), and ends quietly on a closed pipe
// (`weft audit export | head`).
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

process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code === "EPIPE") process.exit(0);
  throw err;
});

const { main } = await import("./main.js");
process.exitCode = await main(process.argv.slice(2));
