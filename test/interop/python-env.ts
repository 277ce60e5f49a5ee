// Creates (once) and reuses a Python venv holding the pinned weaver-kernel release, the reference
// implementation the interop tests and the Python benchmark use as their oracle. The venv lives
// outside the work tree (~/.cache/weft) so pip never runs on the hot path of a test run.
// Runs under vitest and under plain `node` (type stripping): node builtins plus @weft/kernel only.
//
// CLI: `node test/interop/python-env.ts` bootstraps and prints the env as JSON.

import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { WeftError } from "@weft/kernel";

/**
 * Pinned reference release. 0.11.0 and 0.12.0 both ship `weaver_kernel.stores` (SQLite/JSONL
 * chained stores) and the `weaver-kernel audit` CLI; 0.12.0 is the newest on PyPI and the one the
 * facts sheet describes. Releases before 0.11 lack the durable stores.
 */
export const WEAVER_KERNEL_VERSION = "0.12.0";

const READY_FILE = ".weft-ready.json";
const LOCK_WAIT_MS = 15 * 60_000;
const STALE_LOCK_MS = 20 * 60_000;

export interface PythonEnv {
  /** Venv directory under ~/.cache/weft. */
  venvDir: string;
  /** The venv's python interpreter. */
  python: string;
  /** The reference's console script, `weaver-kernel`. */
  cli: string;
  /** Installed weaver-kernel version (equals WEAVER_KERNEL_VERSION). */
  version: string;
  /** Python version of the venv, e.g. "3.11.7". */
  pythonVersion: string;
}

/** Bootstrap failure: no usable python, PyPI unreachable, or the pinned release lacks the stores. */
export class PythonEnvError extends WeftError {
  constructor(message: string) {
    super("PYTHON_ENV_UNAVAILABLE", message);
  }
}

interface ReadyMarker {
  version: string;
  pythonVersion: string;
  basePython: string;
}

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function run(
  cmd: string,
  args: readonly string[],
  options: { input?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: options.env ?? process.env, stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", reject);
    child.on("close", (code) =>
      resolve({
        code,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
      }),
    );
    child.stdin.end(options.input ?? "");
  });
}

function log(message: string): void {
  process.stderr.write(`[weft python-env] ${message}\n`);
}

function cacheRoot(): string {
  return process.env.WEFT_CACHE_DIR ?? join(homedir(), ".cache", "weft");
}

export function venvDirFor(version: string = WEAVER_KERNEL_VERSION): string {
  return join(cacheRoot(), `venv-weaver-kernel-${version}`);
}

function envFromDir(venvDir: string, marker: ReadyMarker): PythonEnv {
  return {
    venvDir,
    python: join(venvDir, "bin", "python"),
    cli: join(venvDir, "bin", "weaver-kernel"),
    version: marker.version,
    pythonVersion: marker.pythonVersion,
  };
}

function readMarker(venvDir: string): ReadyMarker | null {
  try {
    const parsed: unknown = JSON.parse(readFileSync(join(venvDir, READY_FILE), "utf8"));
    if (
      typeof parsed === "object" &&
      parsed !== null &&
      "version" in parsed &&
      "pythonVersion" in parsed &&
      "basePython" in parsed &&
      typeof parsed.version === "string" &&
      typeof parsed.pythonVersion === "string" &&
      typeof parsed.basePython === "string"
    ) {
      return { version: parsed.version, pythonVersion: parsed.pythonVersion, basePython: parsed.basePython };
    }
  } catch {
    // Missing or half-written marker: the venv is treated as not ready and rebuilt.
  }
  return null;
}

/** A cached venv is reusable only if its marker matches and its interpreter still runs. */
async function reusable(venvDir: string): Promise<PythonEnv | null> {
  const marker = readMarker(venvDir);
  if (marker === null || marker.version !== WEAVER_KERNEL_VERSION) return null;
  const env = envFromDir(venvDir, marker);
  if (!existsSync(env.cli)) return null;
  const probe = await run(env.python, ["-c", "import weaver_kernel.stores, weaver_kernel.cli"]).catch(
    () => null,
  );
  return probe?.code === 0 ? env : null;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Cross-process lock: an O_EXCL lock file holding the owner's pid; a dead owner's lock is taken over. */
async function withLock<T>(lockPath: string, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  let announced = false;
  for (;;) {
    try {
      const fd = openSync(lockPath, "wx");
      writeFileSync(fd, JSON.stringify({ pid: process.pid, at: new Date().toISOString() }));
      closeSync(fd);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      let stale = false;
      try {
        const owner = JSON.parse(readFileSync(lockPath, "utf8")) as { pid?: unknown };
        const age = Date.now() - statSync(lockPath).mtimeMs;
        stale = (typeof owner.pid === "number" && !pidAlive(owner.pid)) || age > STALE_LOCK_MS;
      } catch {
        // Lock file being written right now, or already gone: retry shortly.
      }
      if (stale) {
        log(`removing stale lock ${lockPath}`);
        rmSync(lockPath, { force: true });
        continue;
      }
      if (!announced) {
        log(`waiting for another process building the venv (lock ${lockPath})`);
        announced = true;
      }
      if (Date.now() > deadline) throw new PythonEnvError(`timed out waiting for lock ${lockPath}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lockPath, { force: true });
  }
}

function tail(text: string, lines = 15): string {
  return text.trim().split("\n").slice(-lines).join("\n");
}

async function build(venvDir: string): Promise<PythonEnv> {
  const basePython = process.env.WEFT_PYTHON ?? "python3";
  const probe = await run(basePython, ["-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"]).catch(
    (e: unknown) => ({ code: -1, stdout: "", stderr: String(e) }),
  );
  if (probe.code !== 0) {
    throw new PythonEnvError(
      `no usable Python interpreter '${basePython}' (set WEFT_PYTHON): ${tail(probe.stderr, 3)}`,
    );
  }
  const pythonVersion = probe.stdout.trim();
  const [major = 0, minor = 0] = pythonVersion.split(".").map(Number);
  if (major < 3 || (major === 3 && minor < 10)) {
    throw new PythonEnvError(`weaver-kernel needs Python >= 3.10; '${basePython}' is ${pythonVersion}`);
  }

  log(`creating venv ${venvDir} with ${basePython} (${pythonVersion})`);
  rmSync(venvDir, { recursive: true, force: true });
  const venv = await run(basePython, ["-m", "venv", venvDir]);
  if (venv.code !== 0) throw new PythonEnvError(`python -m venv failed:\n${tail(venv.stderr)}`);

  const python = join(venvDir, "bin", "python");
  log(`pip install weaver-kernel==${WEAVER_KERNEL_VERSION} (from PyPI)`);
  const pip = await run(python, [
    "-m",
    "pip",
    "install",
    "--disable-pip-version-check",
    "--no-input",
    "--quiet",
    `weaver-kernel==${WEAVER_KERNEL_VERSION}`,
  ]);
  if (pip.code !== 0) {
    throw new PythonEnvError(
      `pip install weaver-kernel==${WEAVER_KERNEL_VERSION} failed:\n${tail(pip.stderr)}`,
    );
  }

  // The stores, chain and CLI are what the oracle needs; older releases import as `agent_kernel`
  // and have none of them, so check rather than assume.
  const check = await run(python, [
    "-c",
    [
      "import importlib.metadata as m",
      "from weaver_kernel.stores import SQLiteTraceStore, JsonlTraceStore, verify_chain",
      "import weaver_kernel.cli",
      "print(m.version('weaver-kernel'))",
    ].join("\n"),
  ]);
  if (check.code !== 0) {
    throw new PythonEnvError(
      `weaver-kernel ${WEAVER_KERNEL_VERSION} installed but has no durable stores/CLI; the golden vectors in test/fixtures/weaver-kernel are the only oracle:\n${tail(check.stderr, 5)}`,
    );
  }
  const version = check.stdout.trim();
  if (version !== WEAVER_KERNEL_VERSION) {
    throw new PythonEnvError(`expected weaver-kernel ${WEAVER_KERNEL_VERSION}, pip installed ${version}`);
  }
  const marker: ReadyMarker = { version, pythonVersion, basePython };
  writeFileSync(join(venvDir, READY_FILE), JSON.stringify(marker));
  log(`ready: weaver-kernel ${version} in ${venvDir}`);
  return envFromDir(venvDir, marker);
}

let pending: Promise<PythonEnv> | undefined;

/** Returns the cached venv, building it under a lock if missing or stale. Idempotent and concurrency-safe. */
export function ensurePythonEnv(): Promise<PythonEnv> {
  pending ??= (async () => {
    const venvDir = venvDirFor();
    const cached = await reusable(venvDir);
    if (cached) {
      log(`reusing ${venvDir} (weaver-kernel ${cached.version}, Python ${cached.pythonVersion})`);
      return cached;
    }
    await mkdir(cacheRoot(), { recursive: true });
    return withLock(`${venvDir}.lock`, async () => {
      // Another process may have finished the build while we waited for the lock.
      const built = await reusable(venvDir);
      if (built) {
        log(`reusing ${venvDir} (built by another process)`);
        return built;
      }
      return build(venvDir);
    });
  })();
  pending.catch(() => {
    pending = undefined;
  });
  return pending;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  ensurePythonEnv().then(
    (env) => process.stdout.write(`${JSON.stringify(env, null, 2)}\n`),
    (e: unknown) => {
      process.stderr.write(`[weft python-env] FAILED: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
