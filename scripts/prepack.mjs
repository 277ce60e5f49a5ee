#!/usr/bin/env node
// Every package's `prepack`: builds the package (tsc -b, incremental, with its references) and
// deletes outputs in dist/ whose source file is gone, so a tarball never ships a stale module.
// It does not wipe dist/ first: tests running at the same time keep reading the built files.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, rmSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const pkg = process.cwd();
const tsc = join(root, "node_modules", ".bin", process.platform === "win32" ? "tsc.cmd" : "tsc");
execFileSync(tsc, ["-b", pkg], { cwd: pkg, stdio: "inherit" });

const OUTPUT = /\.(d\.ts\.map|d\.ts|js\.map|js)$/;
function prune(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      prune(path);
      if (readdirSync(path).length === 0) rmSync(path, { recursive: true });
      continue;
    }
    const m = OUTPUT.exec(entry.name);
    if (!m) continue;
    const base = join(pkg, "src", relative(join(pkg, "dist"), dir), entry.name.slice(0, -m[0].length));
    if (![".ts", ".mts", ".cts", ".tsx"].some((ext) => existsSync(base + ext))) {
      rmSync(path);
      process.stderr.write(`prepack: removed stale ${relative(pkg, path)}\n`);
    }
  }
}
if (existsSync(join(pkg, "dist"))) prune(join(pkg, "dist"));
