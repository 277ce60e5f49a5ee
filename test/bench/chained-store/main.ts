// Benchmark of @weft/chained-store against baselines measured in the same run:
//  1. batched SQLite append (canonicalize + HMAC chain + insert, BEGIN IMMEDIATE per batch) vs
//     raw better-sqlite3 inserts of the very same bytes into an identical table (target >= 0.7);
//  2. verify (read back + HMAC check) vs a bare canonicalize+HMAC loop over in-memory records
//     (target >= 0.7).
// Run: pnpm run build && node test/bench/chained-store/main.ts [records]

import { createHmac } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { canonicalize, openStore, type SpanRecordV1 } from "@weft/chained-store";

// The test workspace has better-sqlite3 but not its type package; the few calls used are typed here.
interface Statement {
  run(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  raw(on: boolean): Statement;
  pluck(): Statement;
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
const ROUNDS = 5;
const WARMUP = 1; // rounds run first and discarded, so both sides are measured JIT-warm
const SECRET = "bench-secret";
const dir = mkdtempSync(join(tmpdir(), "weft-bench-store-"));

function span(i: number): SpanRecordV1 {
  const start = 1772359200000000000n + BigInt(i) * 1000n;
  return {
    schema: "weft.span.v1",
    trace_id: (i >> 4).toString(16).padStart(32, "0"),
    span_id: i.toString(16).padStart(16, "0"),
    parent_span_id: i % 16 === 0 ? null : (i - 1).toString(16).padStart(16, "0"),
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

/** The same rows, bytes and indexes, inserted directly: what SQLite alone costs. */
function rawInsert(round: number, source: string): { seconds: number; cpu: number } {
  const src = new Database(source, { readonly: true });
  const rows = src.prepare("SELECT * FROM weft_spans ORDER BY seq").raw(true).all() as unknown[][];
  const schema = (
    src
      .prepare("SELECT sql FROM sqlite_master WHERE tbl_name = 'weft_spans' AND sql IS NOT NULL")
      .pluck()
      .all() as string[]
  ).join(";\n");
  src.close();
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
for (let round = 0; round < WARMUP + ROUNDS; round++) {
  const keep = round >= WARMUP;
  // Interleaved per round so load changes on a shared machine hit both sides alike.
  const w = weftAppend(round);
  const r = rawInsert(round, w.path);
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
const fmt = (r: number) => `${Math.round(r).toLocaleString("en-US")} records/s`;
const line = (name: string, ours: number, base: number, target: number) => {
  const ratio = ours / base;
  console.log(
    `${name}\n  weft:     ${fmt(ours)}\n  baseline: ${fmt(base)}\n  ratio:    ${ratio.toFixed(2)} (target >= ${target}) ${ratio >= target ? "MET" : "NOT MET"}`,
  );
};
console.log(
  `@weft/chained-store benchmark: ${N} span records, batches of ${BATCH}, WAL, synchronous=FULL, median of ${ROUNDS} after ${WARMUP} warm-up`,
);
line("append (batched SQLite) vs raw better-sqlite3 inserts of the same bytes", rate(weft), rate(raw), 0.7);
console.log(
  `  (CPU time only, excluding fsync waits: weft ${fmt(rate(weftCpu))}, baseline ${fmt(rate(rawCpu))}, ratio ${(rate(weftCpu) / rate(rawCpu)).toFixed(2)})`,
);
line("verify (SQLite read + HMAC chain) vs bare canonicalize+HMAC loop", rate(verify), rate(bare), 0.7);
