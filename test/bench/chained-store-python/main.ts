// Benchmark: Weft's SQLite chained store vs the Python reference's SQLiteTraceStore
// (weaver-kernel from PyPI, cached venv), appending and verifying the SAME N ActionTraces.
// Python times itself in-process (no interpreter start-up in its figures).
// Targets: Weft >= 10x faster to append, >= 5x faster to verify.
//
// Like-for-like notes: the reference commits once per record (rollback journal, SQLite default
// synchronous=FULL). Weft's normal path is a batched append (one transaction per batch, WAL,
// synchronous=FULL): that is the ratio the target applies to, because it is what a user gets.
// For honesty it also prints Weft with one transaction per record (FULL and NORMAL).
//
// Run: pnpm run build && node test/bench/chained-store-python/main.ts [N]   (default 20000)

import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { openStore } from "@weft/chained-store";
import { type ActionTrace, exportActionTrace } from "@weft/kernel";

const N = Number(process.argv[2] ?? process.env.BENCH_N ?? 20_000);
const BATCH = 512;
/** Per-record runs are fsync-bound and only informative, so they use a prefix of the records. */
const PER_RECORD_N = Math.min(N, 5_000);
const SECRET = "bench-secret-not-for-production";
const APPEND_TARGET = 10;
const VERIFY_TARGET = 5;

interface PythonEnv {
  python: string;
  version: string;
  pythonVersion: string;
}

interface PythonResult {
  n: number;
  append_s: number;
  verify_s: number;
  verify_ok: boolean;
  records_checked: number;
  python: string;
  sqlite: string;
}

const here = fileURLToPath(new URL(".", import.meta.url));
const interop = join(here, "..", "..", "interop");

function pythonEnv(): PythonEnv {
  // The venv bootstrap is shared with the interop tests; it runs as its own node process so this
  // script needs no TypeScript import of a test module.
  const out = execFileSync(process.execPath, [join(interop, "python-env.ts")], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  return JSON.parse(out) as PythonEnv;
}

function trace(i: number): ActionTrace {
  const micros = String((i * 7919) % 1_000_000).padStart(6, "0");
  const t = new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString().slice(0, 19);
  return {
    actionId: `bench-${i}-${(i * 2654435761) % 4294967296}`,
    capabilityId: i % 3 === 0 ? "crm.read_customer" : "web.fetch",
    principalId: `agent-${i % 17}`,
    tokenId: `tok-${i % 1000}`,
    invokedAt: `${t}.${micros === "000000" ? "000001" : micros}+00:00`,
    args: {
      customer_id: i,
      query: `lookup ${i} caf\u00e9 \u65e5\u672c`,
      fields: ["id", "name", "email", "tier"],
      filter: { region: "eu-west", active: true, score_min: 0.25 },
      page: { offset: i % 100, limit: 50 },
    },
    responseMode: "summary",
    driverId: "memory",
    handleId: `h-${i}`,
    error: i % 50 === 0 ? "upstream timeout after 3 retries" : null,
    resultSummary: i % 50 === 0 ? null : { fact_count: 4, row_count: 12, warning_count: 0, has_handle: true },
    sensitivity: "PII",
    eventType: "invoke",
    reasonCode: null,
  };
}

interface WeftRun {
  appendS: number;
  verifyS: number;
}

function weftRun(
  path: string,
  traces: ActionTrace[],
  mode: "batched" | "per-record",
  sync: "FULL" | "NORMAL",
): WeftRun {
  const store = openStore({ path, format: "sqlite", secret: SECRET, synchronous: sync });
  try {
    const t0 = performance.now();
    if (mode === "batched") {
      for (let i = 0; i < traces.length; i += BATCH) store.actions.appendBatch(traces.slice(i, i + BATCH));
    } else {
      for (const t of traces) store.actions.record(t);
    }
    const appendS = (performance.now() - t0) / 1000;
    const t1 = performance.now();
    const result = store.verify("actions");
    const verifyS = (performance.now() - t1) / 1000;
    if (!result.ok || result.recordsChecked !== traces.length) {
      throw new Error(`Weft verify failed in the benchmark: ${result.detail}`);
    }
    return { appendS, verifyS };
  } finally {
    store.close();
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

const rate = (s: number): number => N / s;
const fmt = (r: number): string => `${Math.round(r).toLocaleString("en-US").padStart(10)} rec/s`;
const verdict = (ratio: number, target: number): string =>
  `${ratio.toFixed(1)}x (target >= ${target}x: ${ratio >= target ? "MET" : "MISSED"})`;

const env = pythonEnv();
const dir = mkdtempSync(join(tmpdir(), "weft-bench-py-"));
try {
  const traces = Array.from({ length: N }, (_, i) => trace(i));
  const recordsFile = join(dir, "records.json");
  writeFileSync(recordsFile, JSON.stringify(traces.map((t) => exportActionTrace(t))));
  const payloadBytes = Buffer.byteLength(JSON.stringify(exportActionTrace(traces[1] ?? trace(1))));

  console.log(
    `chained-store vs weaver-kernel ${env.version} (Python ${env.pythonVersion}), N=${N}, ~${payloadBytes} B payload`,
  );
  console.log("running Python reference (in-process timing)...");
  const pyOut = execFileSync(
    env.python,
    [join(interop, "py", "bench_sqlite.py"), "--store", join(dir, "py.db"), "--records", recordsFile],
    { encoding: "utf8", env: { ...process.env, WEAVER_KERNEL_SECRET: SECRET }, maxBuffer: 1 << 20 },
  );
  const py = JSON.parse(pyOut) as PythonResult;
  if (!py.verify_ok || py.records_checked !== N)
    throw new Error("Python reference verify failed in the benchmark");

  console.log("running Weft...");
  const batched: WeftRun[] = [];
  for (let r = 0; r < 3; r++)
    batched.push(weftRun(join(dir, `weft-batched-${r}.db`), traces, "batched", "FULL"));
  const prefix = traces.slice(0, PER_RECORD_N);
  const perFull = weftRun(join(dir, "weft-per-record-full.db"), prefix, "per-record", "FULL");
  const perNormal = weftRun(join(dir, "weft-per-record-normal.db"), prefix, "per-record", "NORMAL");

  const pyAppend = rate(py.append_s);
  const pyVerify = rate(py.verify_s);
  const wAppend = rate(median(batched.map((b) => b.appendS)));
  const wVerify = rate(median(batched.map((b) => b.verifyS)));
  const wFull = PER_RECORD_N / perFull.appendS;
  const wNormal = PER_RECORD_N / perNormal.appendS;

  const row = (label: string, rps: number, note: string): void =>
    console.log(`  ${label.padEnd(72)}${fmt(rps)}  ${note}`);
  console.log("");
  console.log("APPEND");
  row("python SQLiteTraceStore.record: commit per record, rollback journal, FULL", pyAppend, "(baseline)");
  row(
    `weft appendBatch(${BATCH} per txn), WAL, FULL (median of 3)`,
    wAppend,
    verdict(wAppend / pyAppend, APPEND_TARGET),
  );
  row(
    `weft record(), 1 txn per record, WAL, FULL (first ${PER_RECORD_N})`,
    wFull,
    `${(wFull / pyAppend).toFixed(1)}x (like-for-like, info)`,
  );
  row(
    `weft record(), 1 txn per record, WAL, NORMAL (first ${PER_RECORD_N})`,
    wNormal,
    `${(wNormal / pyAppend).toFixed(1)}x (info)`,
  );
  console.log("VERIFY (whole chain read back from SQLite)");
  row("python SQLiteTraceStore.verify_chain", pyVerify, "(baseline)");
  row('weft store.verify("actions") (median of 3)', wVerify, verdict(wVerify / pyVerify, VERIFY_TARGET));
  console.log("");
  console.log(
    JSON.stringify({
      n: N,
      python: { append_rps: pyAppend, verify_rps: pyVerify, sqlite: py.sqlite },
      weft: {
        append_batched_rps: wAppend,
        append_per_record_full_rps: wFull,
        append_per_record_normal_rps: wNormal,
        verify_rps: wVerify,
      },
      ratios: { append: wAppend / pyAppend, verify: wVerify / pyVerify },
      targets: { append: APPEND_TARGET, verify: VERIFY_TARGET },
    }),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
