// Child-process tests run the built package with plain node; build it (and its references) once.

import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
export const PACKAGE_DIR = join(here, "..");
const ROOT = join(PACKAGE_DIR, "..", "..");

export function buildPackage(): void {
  try {
    execFileSync(join(ROOT, "node_modules", ".bin", "tsc"), ["-b", join(PACKAGE_DIR, "tsconfig.json")], {
      cwd: ROOT,
      stdio: "pipe",
    });
  } catch (err) {
    // A type error elsewhere in the graph still emits; fail only if nothing runnable came out.
    if (!existsSync(join(PACKAGE_DIR, "dist", "processor.js"))) throw err;
  }
}

export function fixture(name: string): string {
  return join(here, "fixtures", name);
}
