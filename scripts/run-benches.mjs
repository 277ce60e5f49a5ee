// Runs every benchmark under test/bench (each folder's main.ts) one after another and prints
// their output. Benchmarks print their own figures and ratios; nothing here asserts on time.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dirname, "..", "test", "bench");
const only = process.argv.slice(2);
const names = readdirSync(root, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(root, d.name, "main.ts")))
  .map((d) => d.name)
  .filter((n) => only.length === 0 || only.includes(n));
let failed = 0;
for (const name of names) {
  console.log(`\n=== bench ${name}`);
  const r = spawnSync(process.execPath, ["--expose-gc", join(root, name, "main.ts")], { stdio: "inherit" });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
