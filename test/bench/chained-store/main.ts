// Benchmark of @weft/chained-store against baselines measured in the same run:
//  1. batched SQLite append (canonicalize + HMAC chain + insert, BEGIN IMMEDIATE per batch) vs
//     raw better-sqlite3 inserts of the very same rows into an identical table (same indexes,
//     pragmas, batches and transactions), wall clock and CPU time (target >= 0.7);
//  2. verify (read back + HMAC check) vs a bare canonicalize+HMAC loop over in-memory records
//     (target >= 0.7).
// Run: pnpm run build && node test/bench/chained-store/main.ts [records]

import { createHmac } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore, type SpanRecordV1 } from "@weft/chained-store";
import { json } from "@weft/wire";

const canonicalize = json.canonicalize;

// The test workspace has better-sqlite3 but not its type package; the few calls used are typed here.
interface Statement {
  run(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  raw(on: boolean): Statement;
  pluck(): Statement;
  safeIntegers(on: boolean): Statement;
}
interface Db {
  pragma(sql: string): unknown;
  exec(sql: string): void;
  prepare(sql: string): Statement;
  transaction<A extends unknown[]>(fn: (...args: A) => void): { immediate(...args: A): void };
  close(): void;
}
const Database = createRequire(import.meta.url)("better-sqlite3") as new (
  path: string,
  options?: { readonly?: boolean },
) => Db;

const N = Number(process.argv[2] ?? 20_000);
const BATCH = 512;
const ROUNDS = 7;
const WARMUP = 1; // rounds run first and discarded, so both sides are measured JIT-warm
const SECRET = "bench-secret";
const dir = mkdtempSync(join(tmpdir(), "weft-bench-store-"));

/** Hex id of `bytes` bytes ending in `n`, made as the OTel SDK's id generator makes ids (Buffer hex). */
function hexId(n: number, bytes: number): string {
  const b = Buffer.alloc(bytes);
  b.writeUInt32BE(n, bytes - 4);
  return b.toString("hex");
}

function span(i: number): SpanRecordV1 {
  const start = 1772359200000000000n + BigInt(i) * 1000n;
  return {
    schema: "weft.span.v1",
    trace_id: hexId(i >> 4, 16),
    span_id: hexId(i, 8),
    parent_span_id: i % 16 === 0 ? null : hexId(i - 1, 8),
    trace_state: null,
    name: "execute_tool crm.read_customer",
    kind: "INTERNAL",
    start_time_unix_nano: String(start),
    end_time_unix_nano: String(start + 250_000n),
    duration_nano: "250000",
    status: { code: "OK", message: null },
    attributes: {
      "gen_ai.operation.name": "execute_tool",
      "gen_ai.tool.name": "crm.read_customer",
      "gen_ai.tool.call.id": `7f9c2ba4-e88f-4c1a-9d6e-${String(i).padStart(12, "0")}`,
      "weft.principal.id": `agent-${i % 7}`,
      "weft.capability.id": "crm.read_customer",
      "weft.safety_class": "READ",
      "weft.sensitivity": "PII",
      "weft.response_mode": "summary",
      "weft.driver.id": "memory",
      "weft.decision": "allow",
      "weft.reason_code": "default_policy_allow",
      "weft.args.digest": "1e2d37922fdb45bb10f01fbe04dba82c88c9178565545ba44679a4b712c5fb92",
    },
    events: [],
    links: [],
    resource: {
      attributes: { "service.name": "agent-runtime", "service.version": "1.4.2" },
      schema_url: null,
    },
    scope: { name: "@weft/instrumentation-kernel", version: "0.1.0", schema_url: null },
    sampled: true,
    dropped: { attributes: 0, events: 0, links: 0 },
    redacted: [],
  };
}

const records = Array.from({ length: N }, (_, i) => span(i));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** CPU seconds (user + system) of the last `time()` call: steadier than wall time on a shared machine. */
let lastCpu = 0;
function time(fn: () => void): number {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  fn();
  const c = process.cpuUsage(c0);
  lastCpu = (c.user + c.system) / 1e6;
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

function weftAppend(round: number): { seconds: number; cpu: number; path: string } {
  const path = join(dir, `weft-${round}.sqlite`);
  const store = openStore({ path, secret: SECRET });
  const seconds = time(() => {
    for (let i = 0; i < N; i += BATCH) store.spans.appendBatch(records.slice(i, i + BATCH));
  });
  const cpu = lastCpu;
  store.close();
  return { seconds, cpu, path };
}

/** The rows Weft wrote (same secret and records every round, so the same bytes) and the table's DDL. */
function readBack(source: string): { rows: unknown[][]; schema: string } {
  const src = new Database(source, { readonly: true });
  // safeIntegers: nanosecond start times exceed 2^53; as JS numbers they would not be the same bytes.
  const rows = src
    .prepare("SELECT * FROM weft_spans ORDER BY seq")
    .raw(true)
    .safeIntegers(true)
    .all() as unknown[][];
  const schema = (
    src
      .prepare("SELECT sql FROM sqlite_master WHERE tbl_name = 'weft_spans' AND sql IS NOT NULL")
      .pluck()
      .all() as string[]
  ).join(";\n");
  src.close();
  return { rows, schema };
}

/**
 * The same rows, bytes, table, indexes and pragmas (WAL, synchronous=FULL, as the store sets
 * them), inserted directly in the same batches, each one BEGIN IMMEDIATE transaction: what SQLite
 * alone costs. Only canonicalize, HMAC and head tracking are left out.
 */
function rawInsert(
  round: number,
  source: { rows: unknown[][]; schema: string },
): { seconds: number; cpu: number } {
  const { rows, schema } = source;
  const db = new Database(join(dir, `raw-${round}.sqlite`));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.exec(schema);
  const insert = db.prepare(`INSERT INTO weft_spans VALUES (${Array(rows[0]!.length).fill("?").join(", ")})`);
  const batch = db.transaction((part: unknown[][]) => {
    for (const r of part) insert.run(...r);
  });
  const seconds = time(() => {
    for (let i = 0; i < rows.length; i += BATCH) batch.immediate(rows.slice(i, i + BATCH));
  });
  const cpu = lastCpu;
  db.close();
  return { seconds, cpu };
}

function weftVerify(path: string): number {
  const store = openStore({ path, secret: SECRET, readonly: true });
  let ok = false;
  const seconds = time(() => {
    ok = store.spans.verify().ok;
  });
  store.close();
  if (!ok) throw new Error("bench store did not verify");
  return seconds;
}

/** The floor for any verifier: canonicalize each in-memory record and HMAC it, nothing else. */
function bareCanonicalHmacLoop(): number {
  const key = Buffer.from(SECRET, "utf8");
  let prev = "0".repeat(64);
  return time(() => {
    for (let seq = 0; seq < records.length; seq++) {
      const msg = `{"prev_hash":"${prev}","seq":${seq},"trace":${canonicalize(records[seq])}}`;
      prev = createHmac("sha256", key).update(msg).digest("hex");
    }
  });
}

const weft: number[] = [];
const raw: number[] = [];
const weftCpu: number[] = [];
const rawCpu: number[] = [];
const verify: number[] = [];
const bare: number[] = [];
const source = readBack(weftAppend(-1).path);
for (let round = 0; round < WARMUP + ROUNDS; round++) {
  const keep = round >= WARMUP;
  // Interleaved per round, and which side goes first alternates, so load changes on a shared
  // machine (and page-cache warmth) hit both sides alike.
  let w: ReturnType<typeof weftAppend>;
  let r: ReturnType<typeof rawInsert>;
  if (round % 2 === 0) {
    w = weftAppend(round);
    r = rawInsert(round, source);
  } else {
    r = rawInsert(round, source);
    w = weftAppend(round);
  }
  const v = weftVerify(w.path);
  const b = bareCanonicalHmacLoop();
  if (keep) {
    weft.push(w.seconds);
    raw.push(r.seconds);
    weftCpu.push(w.cpu);
    rawCpu.push(r.cpu);
    verify.push(v);
    bare.push(b);
  }
}
rmSync(dir, { recursive: true, force: true });

const rate = (s: number[]) => N / median(s);
/** Median of the per-round ratios: each round's two sides ran back to back under the same load. */
const pairedRatio = (ours: number[], base: number[]) => median(ours.map((t, i) => base[i]! / t));
const fmt = (r: number) => `${Math.round(r).toLocaleString("en-US")} records/s`;
const verdict = (ratio: number, target: number) =>
  `${ratio.toFixed(2)} (target >= ${target}) ${ratio >= target ? "met" : "NOT met"}`;
const line = (name: string, ours: number[], base: number[], target: number) => {
  console.log(
    `${name}\n  weft:     ${fmt(rate(ours))}\n  baseline: ${fmt(rate(base))}\n  ratio:    ${verdict(pairedRatio(ours, base), target)}`,
  );
};
console.log(
  `@weft/chained-store benchmark: ${N} span records, batches of ${BATCH}, WAL, synchronous=FULL, median of ${ROUNDS} interleaved rounds after ${WARMUP} warm-up`,
);
line("append (batched SQLite, wall clock) vs raw better-sqlite3 inserts of the same bytes", weft, raw, 0.7);
console.log(
  `  CPU time only (user+sys, no fsync waits): weft ${fmt(rate(weftCpu))}, baseline ${fmt(rate(rawCpu))}, ratio ${verdict(pairedRatio(weftCpu, rawCpu), 0.7)}`,
);
line("verify (SQLite read + HMAC chain) vs bare canonicalize+HMAC loop", verify, bare, 0.7);
