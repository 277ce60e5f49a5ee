// Debian's headless Chromium for the web-view tests: found on PATH, or installed with apt-get
// when missing (as root, like Prometheus) — never a browser download. Driven by playwright-core
// with `executablePath`, a fresh empty profile and the flags a root container needs.

import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium } from "playwright-core";

export type ChromiumInstall = { ok: true; binary: string } | { ok: false; reason: string };

const CANDIDATES = ["chromium-headless-shell", "chromium"];
const PACKAGE = "chromium-headless-shell";

function which(name: string): string | undefined {
  const result = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" });
  const path = result.stdout.trim();
  return result.status === 0 && path ? path : undefined;
}

/** The wrapper scripts in /usr/bin set flags for a desktop; the real binary is beside them. */
function realBinary(wrapper: string): string {
  const name = wrapper.endsWith("chromium-headless-shell") ? "chromium-headless-shell" : "chromium";
  const direct = join("/usr/lib/chromium", name);
  return existsSync(direct) ? direct : wrapper;
}

function find(): string | undefined {
  const env = process.env["WEFT_CHROMIUM"];
  if (env && existsSync(env)) return env;
  for (const c of CANDIDATES) {
    const found = which(c);
    if (found) return realBinary(found);
  }
  return undefined;
}

/** Finds Chromium, or installs Debian's package. Returns a reason when neither is possible. */
export function ensureChromium(): ChromiumInstall {
  const found = find();
  if (found) return { ok: true, binary: found };
  if (!which("apt-get")) return { ok: false, reason: "chromium is not installed and apt-get is unavailable" };
  if (typeof process.getuid === "function" && process.getuid() !== 0) {
    return { ok: false, reason: "chromium is not installed and installing it needs root (apt-get)" };
  }
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const update = spawnSync("apt-get", ["update"], { encoding: "utf8", env, timeout: 300_000 });
  if (update.status !== 0)
    return { ok: false, reason: `apt-get update failed: ${update.stderr.slice(-500)}` };
  const install = spawnSync("apt-get", ["install", "-y", "--no-install-recommends", PACKAGE], {
    encoding: "utf8",
    env,
    timeout: 500_000,
  });
  if (install.status !== 0) {
    return { ok: false, reason: `apt-get install ${PACKAGE} failed: ${install.stderr.slice(-500)}` };
  }
  const binary = find();
  return binary ? { ok: true, binary } : { ok: false, reason: `${PACKAGE} installed but not found` };
}

/**
 * Headless, no sandbox (root), no network side channels. Each launch gets a new empty profile:
 * playwright creates a fresh temporary --user-data-dir itself and refuses one passed as a flag.
 */
export async function launchChromium(binary: string): Promise<Browser> {
  return chromium.launch({
    executablePath: binary,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
