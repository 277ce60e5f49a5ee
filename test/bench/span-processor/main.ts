// Benchmark of @weft/span-processor-chained, one run, two comparisons:
//  1. caller-thread cost: ns per span (start + 8 attributes + end) with ChainedSpanProcessor vs
//     BatchSpanProcessor + no-op exporter. Spans come 256 per event-loop turn (an application that
//     keeps up), and only the synchronous span code is timed; background writing is not. Rounds
//     alternate between the two so machine noise hits both. Target ratio <= 1.5.
//  2. sustained throughput: the same captured spans pushed through the processor until forceFlush
//     resolves (normalize + redact + canonical JSON + HMAC chain + SQLite), vs raw batched
//     better-sqlite3 inserts of the same normalized records (JSON text, same journal/sync settings,
//     same batch size; once into a bare table, once with the store's query columns and indexes).
//     Target ratio >= 0.7. Also sweeps maxBatchSize (how the default was chosen).
// Run: pnpm run build && node test/bench/span-processor/main.ts [spans]

import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  BatchSpanProcessor,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  type SpanExporter,
  TracerProvider,
} from "@opentelemetry/sdk-trace";
import { openStore } from "@weft/chained-store";
import { ChainedSpanProcessor, createRedactor, toSpanRecord } from "@weft/span-processor-chained";

// better-sqlite3 is loaded untyped (its @types package is not a dependency of the test workspace);
// this is the slice of its API the baseline uses.
interface RawDb {
  pragma(source: string): unknown;
  exec(source: string): void;
  prepare(sql: string): { run(...params: unknown[]): unknown };
  transaction<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void;
  close(): void;
}
const Database = createRequire(import.meta.url)("better-sqlite3") as new (path: string) => RawDb;

const N = Number(process.argv[2] ?? 30_000);
const ROUNDS = 8;
const PER_TURN = 256;
const TARGET_CALLER = 1.5;
const TARGET_THROUGHPUT = 0.7;
const SECRET = "span-processor-bench-secret-0123456789";
const dir = mkdtempSync(join(tmpdir(), "weft-spc-bench-"));
let files = 0;
const dbPath = () => join(dir, `b${files++}.db`);
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

function emit(provider: TracerProvider, i: number): void {
  provider
    .getTracer("bench", "1.0.0")
    .startSpan("execute_tool crm.read_customer", {
      attributes: {
        "gen_ai.operation.name": "execute_tool",
        "gen_ai.tool.name": "crm.read_customer",
        "gen_ai.tool.call.id": `action-${i}`,
        "weft.principal.id": "agent-7",
        "weft.capability.id": "crm.read_customer",
        "weft.decision": "allow",
        "weft.safety_class": "READ",
        "weft.args.digest": "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
      },
    })
    .end();
}

/** ns per span spent in synchronous span code, PER_TURN spans per event-loop turn. */
async function callerRound(provider: TracerProvider, n: number): Promise<number> {
  let busy = 0;
  for (let done = 0; done < n; done += PER_TURN) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < PER_TURN; i++) emit(provider, done + i);
    busy += Number(process.hrtime.bigint() - t0);
    await turn();
  }
  return busy / n;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

// --- 1. caller-thread cost ---------------------------------------------------------------------
const noop: SpanExporter = { export: (_s, done) => done({ code: 0 }), shutdown: async () => {} };
const bspProvider = new TracerProvider({ spanProcessors: [new BatchSpanProcessor({ exporter: noop })] });
const mirror = new ChainedSpanProcessor({ path: dbPath(), storeOptions: { secret: SECRET } });
const chainedProvider = new TracerProvider({ spanProcessors: [mirror] });
const perRound = Math.max(PER_TURN, Math.floor(N / ROUNDS / PER_TURN) * PER_TURN);
await callerRound(bspProvider, perRound); // warm-up
await callerRound(chainedProvider, perRound);
await mirror.forceFlush();
const syncBefore = mirror.stats().syncFlushes;
const bspNs: number[] = [];
const chainedNs: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  bspNs.push(await callerRound(bspProvider, perRound));
  chainedNs.push(await callerRound(chainedProvider, perRound));
}
await mirror.forceFlush();
const callerRatio = median(chainedNs) / median(bspNs);
const syncDuring = mirror.stats().syncFlushes - syncBefore;
await chainedProvider.shutdown();
await bspProvider.shutdown();

// A tight loop that never yields, for contrast: here the caller pays for backpressure writes.
const burstMirror = new ChainedSpanProcessor({ path: dbPath(), storeOptions: { secret: SECRET } });
const burstProvider = new TracerProvider({ spanProcessors: [burstMirror] });
const BURST = 20_000; // well past maxQueueSize (4096), so backpressure writes happen inside the loop
const tBurst = process.hrtime.bigint();
for (let i = 0; i < BURST; i++) emit(burstProvider, i);
const burstNs = Number(process.hrtime.bigint() - tBurst) / BURST;
const burstSyncFlushes = burstMirror.stats().syncFlushes;
await burstProvider.shutdown();

// --- 2. sustained throughput -------------------------------------------------------------------
const capture = new InMemorySpanExporter();
const captureProvider = new TracerProvider({
  spanProcessors: [new SimpleSpanProcessor({ exporter: capture })],
});
for (let i = 0; i < N; i++) emit(captureProvider, i);
await captureProvider.forceFlush();
const spans: ReadableSpan[] = capture.getFinishedSpans();

async function mirrored(maxBatchSize: number): Promise<number> {
  const m = new ChainedSpanProcessor({
    path: dbPath(),
    storeOptions: { secret: SECRET },
    maxBatchSize,
    maxQueueSize: Math.max(4096, maxBatchSize * 8),
  });
  const t0 = performance.now();
  for (let i = 0; i < spans.length; i++) {
    m.onEnd(spans[i]!);
    if ((i + 1) % PER_TURN === 0) await turn();
  }
  await m.forceFlush();
  const rate = spans.length / ((performance.now() - t0) / 1000);
  await m.shutdown();
  return rate;
}

const redactor = createRedactor(undefined);
const records = spans.map((s) => toSpanRecord(s, redactor));

// Two raw baselines: a bare table (the floor), and the store's own span columns and query indexes
// (the same forensic reads stay possible), each row holding the record as JSON text.
const INDEXES = [
  "CREATE INDEX s_trace ON spans (trace_id, start_ns)",
  "CREATE INDEX s_span ON spans (span_id)",
  "CREATE INDEX s_action ON spans (action_id)",
  "CREATE INDEX s_principal ON spans (principal_id, start_ns)",
  "CREATE INDEX s_name ON spans (name, start_ns)",
  "CREATE INDEX s_start ON spans (start_ns)",
];
function rawInserts(batch: number, indexed: boolean): number {
  const db = new Database(dbPath());
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.exec(
    "CREATE TABLE spans (seq INTEGER PRIMARY KEY, trace_id TEXT, span_id TEXT, parent_span_id TEXT, name TEXT, " +
      "start_ns INTEGER, action_id TEXT, principal_id TEXT, body TEXT)",
  );
  if (indexed) for (const sql of INDEXES) db.exec(sql);
  const insert = db.prepare(
    "INSERT INTO spans (trace_id, span_id, parent_span_id, name, start_ns, action_id, principal_id, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
  );
  const write = db.transaction((rs: typeof records) => {
    for (const r of rs) {
      insert.run(
        r.trace_id,
        r.span_id,
        r.parent_span_id,
        r.name,
        r.start_time_unix_nano,
        r.attributes["gen_ai.tool.call.id"] ?? null,
        r.attributes["weft.principal.id"] ?? null,
        JSON.stringify(r),
      );
    }
  });
  const t0 = performance.now();
  for (let i = 0; i < records.length; i += batch) write(records.slice(i, i + batch));
  const rate = records.length / ((performance.now() - t0) / 1000);
  db.close();
  return rate;
}

function storeAppends(batch: number): number {
  const store = openStore({ path: dbPath(), secret: SECRET });
  const t0 = performance.now();
  for (let i = 0; i < records.length; i += batch) store.spans.appendBatch(records.slice(i, i + batch));
  const rate = records.length / ((performance.now() - t0) / 1000);
  store.close();
  return rate;
}

const DEFAULT_BATCH = 512;
await mirrored(DEFAULT_BATCH); // warm-up: JIT and page cache, so run order does not bias the figures
// Interleaved rounds (machine noise hits every variant alike), median per variant.
const rates = {
  raw: [] as number[],
  rawIndexed: [] as number[],
  store: [] as number[],
  mirrored: [] as number[],
};
for (let r = 0; r < 3; r++) {
  rates.raw.push(rawInserts(DEFAULT_BATCH, false));
  rates.rawIndexed.push(rawInserts(DEFAULT_BATCH, true));
  rates.store.push(storeAppends(DEFAULT_BATCH));
  rates.mirrored.push(await mirrored(DEFAULT_BATCH));
}
const raw = median(rates.raw);
const rawIndexed = median(rates.rawIndexed);
const store = median(rates.store);
const mirroredDefault = median(rates.mirrored);
const throughputRatio = mirroredDefault / raw;
const indexedRatio = mirroredDefault / rawIndexed;
const sweep: Array<{ batch: number; mirrored: number }> = [];
for (const batch of [64, 256, DEFAULT_BATCH, 2048]) sweep.push({ batch, mirrored: await mirrored(batch) });
rmSync(dir, { recursive: true, force: true });

const f = (x: number) => Math.round(x).toLocaleString("en");
console.log(`span-processor benchmark (node ${process.version}, ${N.toLocaleString("en")} spans)`);
console.log(
  "1. caller-thread ns per span (start + 8 attrs + end, 256 spans per event-loop turn, median of 8 rounds)",
);
console.log(`   BatchSpanProcessor + no-op exporter : ${median(bspNs).toFixed(0)} ns`);
console.log(
  `   ChainedSpanProcessor                : ${median(chainedNs).toFixed(0)} ns  (sync flushes during run: ${syncDuring})`,
);
console.log(
  `   ratio ${callerRatio.toFixed(2)}  target <= ${TARGET_CALLER}  ${callerRatio <= TARGET_CALLER ? "MET" : "NOT MET"}`,
);
console.log(
  `   (tight loop of ${BURST.toLocaleString("en")} never yielding: ${burstNs.toFixed(0)} ns per span, ${burstSyncFlushes} backpressure writes on the caller)`,
);
console.log("2. sustained spans/s until durable (FULL sync, WAL; median of 3 interleaved rounds)");
console.log(`   raw better-sqlite3 inserts, bare table, batch ${DEFAULT_BATCH}       : ${f(raw)}/s`);
console.log(`   raw better-sqlite3 inserts, store's indexes, batch ${DEFAULT_BATCH}  : ${f(rawIndexed)}/s`);
console.log(`   store.spans.appendBatch (HMAC chain), batch ${DEFAULT_BATCH}        : ${f(store)}/s`);
console.log(
  `   ChainedSpanProcessor, batch ${DEFAULT_BATCH}                         : ${f(mirroredDefault)}/s`,
);
const verdict = (r: number) =>
  `${r.toFixed(2)}  target >= ${TARGET_THROUGHPUT}  ${r >= TARGET_THROUGHPUT ? "MET" : "NOT MET"}`;
console.log(`   ratio vs raw, bare table       ${verdict(throughputRatio)}`);
console.log(`   ratio vs raw, store's indexes  ${verdict(indexedRatio)}`);
console.log(
  `   ratio vs store.appendBatch (processor overhead alone) ${(mirroredDefault / store).toFixed(2)}`,
);
console.log(
  `   maxBatchSize sweep (single runs; caller pause per backpressure write ≈ batch / rate): ${sweep
    .map((s) => `${s.batch}: ${f(s.mirrored)}/s, ~${((s.batch / s.mirrored) * 1000).toFixed(0)} ms`)
    .join("; ")}`,
);
