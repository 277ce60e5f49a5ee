// Runs the built @weft/node as a real child process (`node --import @weft/node/register`) on the
// plain fixture app, and reads back the store it wrote.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { openStore } from "@weft/chained-store";

const here = dirname(fileURLToPath(import.meta.url));
export const PACKAGE = resolve(here, "..");
export const REPO = resolve(PACKAGE, "../..");
export const FIXTURES = join(here, "fixtures");
export const SECRET = "node-test-secret-0123456789abcdef";

export function ensureBuilt(): void {
  execFileSync(join(REPO, "node_modules/.bin/tsc"), ["-b", PACKAGE], { cwd: REPO, stdio: "inherit" });
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "weft-node-"));
}

/** The environment without any developer OTEL_/WEFT_ settings, plus `extra`. */
export function cleanEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(OTEL_|WEFT_|WEAVER_KERNEL_)/.test(k)) env[k] = v;
  }
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function weftLines(stderr: string): string[] {
  return stderr.split("\n").filter((l) => l.startsWith("weft:"));
}

/** `node <flag> @weft/node/register <app>` in `cwd`, waiting for it to end. */
export function runApp(
  cwd: string,
  env: Record<string, string | undefined>,
  options: { flag?: "--import" | "--require"; app?: string; args?: string[] } = {},
): Run {
  const app = join(FIXTURES, options.app ?? "kernel-app.mjs");
  const r = spawnSync(
    process.execPath,
    [options.flag ?? "--import", "@weft/node/register", app, ...(options.args ?? [])],
    {
      cwd: FIXTURES,
      env: cleanEnv({ WEFT_STORE: join(cwd, "weft-audit.db"), ...env }),
      encoding: "utf8",
      timeout: 60_000,
    },
  );
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** Starts the staying app, waits for "ready", sends `signal`, resolves with how it ended. */
export function runAndSignal(
  cwd: string,
  env: Record<string, string | undefined>,
  signal: NodeJS.Signals,
  app = "kernel-app.mjs",
): Promise<Run> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(
      process.execPath,
      ["--import", "@weft/node/register", resolve(FIXTURES, app), "--stay"],
      {
        cwd: FIXTURES,
        env: cleanEnv({ WEFT_STORE: join(cwd, "weft-audit.db"), ...env }),
      },
    );
    let stdout = "";
    let stderr = "";
    let sent = false;
    const killer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.stdout.on("data", (b: Buffer) => {
      stdout += b.toString("utf8");
      if (!sent && stdout.includes("ready\n")) {
        sent = true;
        child.kill(signal);
      }
    });
    child.stderr.on("data", (b: Buffer) => {
      stderr += b.toString("utf8");
    });
    child.on("error", reject);
    child.on("close", (code, sig) => {
      clearTimeout(killer);
      resolvePromise({ code, signal: sig, stdout, stderr });
    });
  });
}

export interface StoreCounts {
  actions: number;
  spans: number;
  actionsOk: boolean;
  spansOk: boolean;
}

export function readStore(path: string, secret = SECRET): StoreCounts {
  const store = openStore({ path, secret, readonly: true });
  try {
    return {
      actions: store.actions.count(),
      spans: store.spans.count(),
      actionsOk: store.verify("actions").ok,
      spansOk: store.verify("spans").ok,
    };
  } finally {
    store.close();
  }
}

export function spawnSyncNode(args: string[], cwd: string, env: Record<string, string | undefined>): Run {
  const r = spawnSync(process.execPath, args, { cwd, env: cleanEnv(env), encoding: "utf8", timeout: 60_000 });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}
