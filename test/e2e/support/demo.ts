// Runs examples/agent-runtime exactly as a user does (`node examples/agent-runtime/src/main.ts`)
// as a child process. The demo imports the packages' built dist, so the workspace is built
// first (`tsc -b`, incremental, under a lock so parallel test files do not build twice at once).

import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./collector.js";

export const DEMO_MAIN = join(REPO_ROOT, "examples/agent-runtime/src/main.ts");
export const DEMO_KERNEL_ID = "support-runtime";
/** The built `weft` CLI. */
export const WEFT_BIN = join(REPO_ROOT, "packages/cli/dist/bin.js");

export function ensureWorkspaceBuilt(): void {
  const result = spawnSync(
    "flock",
    ["/tmp/weft-e2e-build.lock", join(REPO_ROOT, "node_modules/.bin/tsc"), "-b"],
    {
      cwd: REPO_ROOT,
      encoding: "utf8",
      timeout: 590_000,
    },
  );
  if (result.status === 0) return;
  // tsc -b still emits every project it can; a type error elsewhere in the workspace should not
  // hide what these tests check, so go on when every package has its dist, but say so loudly.
  const missing = PACKAGES.filter((name) => !existsSync(join(REPO_ROOT, "packages", name, "dist/index.js")));
  const output = `${result.stdout}${result.stderr}`.slice(0, 4000);
  if (missing.length > 0) {
    throw new Error(
      `tsc -b failed (status ${result.status}) and ${missing.join(", ")} have no dist:\n${output}`,
    );
  }
  console.warn(
    `WARNING: tsc -b reported errors (status ${result.status}); running on the emitted dist:\n${output}`,
  );
}

const PACKAGES = [
  "semconv",
  "kernel",
  "chained-store",
  "instrumentation-kernel",
  "span-processor-chained",
  "exporter-ocsf",
  "cli",
];

/** The JSON the demo writes with --report-json (the fields the tests read). */
export interface DemoReportJson {
  tasks: number;
  toolCalls: number;
  traceIds: string[];
  outcomes: { ok: number; denied: number; failed: number };
  spans: { records: number; ok: boolean; detail: string };
  actions: { records: number; ok: boolean; detail: string };
  stats: Record<string, number> & { denialsByReason: Record<string, number> };
  gauges: Record<string, number>;
  denialsByReason: Record<string, number>;
  ocsfEvents: number;
  otlp: {
    endpoint: string;
    account: { exported: number; failed: number; failedSpanIds: string[]; lastError: string | null };
  } | null;
  files: { store: string; ocsf: string; secret: string | null };
}

export function readReport(path: string): DemoReportJson {
  return JSON.parse(readFileSync(path, "utf8")) as DemoReportJson;
}

export interface DemoProcess {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the stdout line that matches, waiting for more output as needed. */
  waitForLine: (pattern: RegExp) => Promise<string>;
  sendLine: (line: string) => void;
}

const live = new Set<ChildProcess>();

/** SIGKILLs every demo a test started and did not see exit (a failed or timed-out test). */
export function killDemos(): void {
  for (const child of live) child.kill("SIGKILL");
  live.clear();
}

export function startDemo(args: string[], env: Record<string, string>): DemoProcess {
  const child = spawn(process.execPath, [DEMO_MAIN, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  live.add(child);
  child.on("exit", () => live.delete(child));
  let out = "";
  let err = "";
  const waiters: Array<{ pattern: RegExp; resolve: (line: string) => void; from: number }> = [];
  const check = (): void => {
    for (const waiter of [...waiters]) {
      const lines = out.slice(waiter.from).split("\n");
      const hit = lines.find((l) => waiter.pattern.test(l));
      if (hit !== undefined) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(hit);
      }
    }
  };
  child.stdout.on("data", (chunk: Buffer) => {
    out += chunk.toString();
    check();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    err += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal })),
  );
  let consumed = 0;
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitForLine: (pattern) =>
      new Promise<string>((resolve, reject) => {
        const from = consumed;
        const waiter = {
          pattern,
          from,
          resolve: (line: string) => {
            consumed = out.indexOf(line, from) + line.length;
            resolve(line);
          },
        };
        waiters.push(waiter);
        check();
        void exited.then(({ code, signal }) => {
          if (waiters.includes(waiter)) {
            reject(new Error(`demo exited (${code ?? signal}) before printing ${pattern}:\n${out}\n${err}`));
          }
        });
      }),
    sendLine: (line) => {
      child.stdin.write(`${line}\n`);
    },
  };
}
