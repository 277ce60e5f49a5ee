// Debian packages a test needs but a fresh machine may lack: found on PATH, or installed with
// apt-get (CI runs as root). Returns a reason instead of throwing so the caller can skip loudly.

import { spawnSync } from "node:child_process";

export type AptTool = { ok: true; binary: string } | { ok: false; reason: string };

function which(name: string): string | undefined {
  const result = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" });
  const path = result.stdout.trim();
  return result.status === 0 && path ? path : undefined;
}

/**
 * Ensures every binary in `binaries` is on PATH, installing Debian package `pkg` once when any
 * is missing. The result names the first binary.
 */
export function ensureAptTools(pkg: string, binaries: readonly string[]): AptTool {
  const missing = binaries.filter((b) => which(b) === undefined);
  const first = binaries[0] as string;
  if (missing.length === 0) return { ok: true, binary: which(first) as string };
  const what = `${missing.join(", ")} (Debian ${pkg})`;
  if (!which("apt-get")) return { ok: false, reason: `${what} is not installed and apt-get is unavailable` };
  if (typeof process.getuid === "function" && process.getuid() !== 0) {
    return { ok: false, reason: `${what} is not installed and installing it needs root (apt-get)` };
  }
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const install = () =>
    spawnSync("apt-get", ["install", "-y", "--no-install-recommends", pkg], {
      encoding: "utf8",
      env,
      timeout: 400_000,
    });
  // Try without refreshing the index first: `apt-get update` is slow and often already done.
  let result = install();
  if (result.status !== 0) {
    const update = spawnSync("apt-get", ["update"], { encoding: "utf8", env, timeout: 300_000 });
    if (update.status !== 0)
      return { ok: false, reason: `apt-get update failed: ${update.stderr.slice(-500)}` };
    result = install();
  }
  if (result.status !== 0)
    return { ok: false, reason: `apt-get install ${pkg} failed: ${result.stderr.slice(-500)}` };
  const still = binaries.filter((b) => which(b) === undefined);
  if (still.length > 0) return { ok: false, reason: `${pkg} installed but ${still.join(", ")} not on PATH` };
  return { ok: true, binary: which(first) as string };
}
