// Builds the Go programs the transparency tests use, once, from the Go module proxy, and caches
// the binaries outside the work tree under ${WEFT_CACHE_DIR:-~/.cache/weft}/go-tools/, keyed by a
// hash of what was built (like scripts/build-collector keys the collector by its manifest):
//   - the Weft-independent verifier in ./oracle (x/mod sumdb, transparency-dev merkle + formats)
//   - litewitness and witnessctl from filippo.io/torchwood (a real C2SP tlog-witness)
// Returns a reason instead of throwing when Go is missing, so the suite prints a loud SKIPPED line.

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
export const TORCHWOOD_VERSION = "v0.6.1";

export type GoBuild = { ok: true; bin: string } | { ok: false; reason: string };

function cacheDir(): string {
  return join(process.env.WEFT_CACHE_DIR ?? join(homedir(), ".cache/weft"), "go-tools");
}

function goAvailable(): string | null {
  const go = spawnSync("go", ["version"], { encoding: "utf8" });
  if (go.error || go.status !== 0) return `Go is not available (${go.error?.message ?? go.stderr.trim()})`;
  return null;
}

/** Moves a finished build into place atomically: concurrent builders race harmlessly. */
function install(built: string, dest: string): void {
  mkdirSync(dirname(dest), { recursive: true });
  renameSync(built, dest);
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): void {
  const r = spawnSync(cmd, args, {
    cwd,
    encoding: "utf8",
    env: { ...process.env, ...env },
    timeout: 590_000,
  });
  if (r.status !== 0)
    throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}): ${r.stderr || r.error?.message}`);
}

/** The independent verifier in test/transparency/oracle. */
export function buildOracle(): GoBuild {
  return buildGoDir(join(here, "oracle"), "weft-tlog-oracle");
}

/** Builds the Go main package in `src` (its own go.mod), cached by a hash of its sources. */
export function buildGoDir(src: string, name: string): GoBuild {
  const missing = goAvailable();
  if (missing) return { ok: false, reason: missing };
  const h = createHash("sha256");
  for (const f of readdirSync(src)
    .filter((f) => /\.(go|mod|sum)$/.test(f))
    .sort())
    h.update(f).update(readFileSync(join(src, f)));
  const dest = join(cacheDir(), name, h.digest("hex").slice(0, 16), name);
  if (existsSync(dest)) return { ok: true, bin: dest };
  mkdirSync(cacheDir(), { recursive: true });
  const tmp = mkdtempSync(join(cacheDir(), "build-"));
  try {
    run("go", ["build", "-o", join(tmp, name), "."], src, { GOFLAGS: "-mod=mod" });
    install(join(tmp, name), dest);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return { ok: true, bin: dest };
}

/** litewitness and witnessctl at TORCHWOOD_VERSION. */
export function buildWitness():
  | { ok: true; litewitness: string; witnessctl: string }
  | { ok: false; reason: string } {
  const missing = goAvailable();
  if (missing) return { ok: false, reason: missing };
  const dir = join(cacheDir(), `torchwood-${TORCHWOOD_VERSION}`);
  const litewitness = join(dir, "litewitness");
  const witnessctl = join(dir, "witnessctl");
  if (existsSync(litewitness) && existsSync(witnessctl)) return { ok: true, litewitness, witnessctl };
  mkdirSync(cacheDir(), { recursive: true });
  const tmp = mkdtempSync(join(cacheDir(), "build-"));
  try {
    run(
      "go",
      [
        "install",
        `filippo.io/torchwood/cmd/litewitness@${TORCHWOOD_VERSION}`,
        `filippo.io/torchwood/cmd/witnessctl@${TORCHWOOD_VERSION}`,
      ],
      tmp,
      { GOBIN: tmp },
    );
    mkdirSync(dir, { recursive: true });
    install(join(tmp, "witnessctl"), witnessctl);
    install(join(tmp, "litewitness"), litewitness);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return { ok: true, litewitness, witnessctl };
}
