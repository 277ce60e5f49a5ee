// Property suite over the readers (fast-check, fixed seed, bounded runs, so CI is repeatable):
// random mutations of valid JSONL and SQLite stores never crash (only the store's typed errors
// escape), never hang, and never verify as OK unless what is read back is canonical-equivalent
// to the original records (or a prefix of them: tail truncation is the documented limit).
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChainedStore, ChainedStoreError, canonicalize, openStore } from "../../src/index.js";
import { cleanupTempDirs, sampleSpan, sampleTrace, tempDir } from "../helpers.js";

const SECRET = "fuzz-secret";
const SEED = 20261201;
const N = 6;

afterAll(cleanupTempDirs);

interface Snapshot {
  actions: string[];
  spans: string[];
}

/** Every record as `seq|canonical payload`, read through the public API. */
function read(store: ChainedStore): Snapshot {
  return {
    actions: [...store.actions.iterate()].map((r) => `${r.seq}|${canonicalize(r.payload)}`),
    spans: [...store.spans.iterate()].map((r) => `${r.seq}|${canonicalize(r.payload)}`),
  };
}

function isPrefix(got: string[], want: string[]): boolean {
  return got.length <= want.length && got.every((g, i) => g === want[i]);
}

/**
 * Opens, verifies both chains and reads everything back. Only ChainedStoreError may escape the
 * store; when both chains verify, every read must be a prefix of the original records, and the
 * indexed queries must agree with the payloads.
 */
function check(path: string, original: Snapshot): void {
  let store: ChainedStore | undefined;
  try {
    store = openStore({ path, secret: SECRET, readonly: true });
    const a = store.verify("actions");
    const s = store.verify("spans");
    if (!a.ok || !s.ok) return;
    const got = read(store);
    expect(isPrefix(got.actions, original.actions), "verified actions are not the original records").toBe(
      true,
    );
    expect(isPrefix(got.spans, original.spans), "verified spans are not the original records").toBe(true);
    for (let p = 0; p < 4; p++) {
      const hits = store.actions.query({ principalId: `agent-${p}` }).map((t) => t.actionId);
      const want = [...store.actions.iterate()]
        .filter((r) => r.payload.principalId === `agent-${p}`)
        .map((r) => r.payload.actionId)
        .sort();
      expect([...hits].sort()).toEqual(want);
    }
  } catch (e) {
    if (!(e instanceof ChainedStoreError)) throw e;
  } finally {
    store?.close();
  }
}

let jsonlPath: string;
let jsonlBytes: Buffer;
let jsonlOriginal: Snapshot;
let sqlitePath: string;
let sqliteOriginal: Snapshot;

beforeAll(() => {
  const dir = tempDir();
  jsonlPath = join(dir, "base.jsonl");
  sqlitePath = join(dir, "base.db");
  for (const path of [jsonlPath, sqlitePath]) {
    const s = openStore({ path, secret: SECRET });
    for (let i = 0; i < N; i++) s.actions.record(sampleTrace(i, { args: { i, x: 1.5, t: "é✓" } }));
    s.spans.appendBatch(Array.from({ length: N }, (_, i) => sampleSpan(i)));
    s.close();
  }
  jsonlBytes = readFileSync(jsonlPath);
  const a = openStore({ path: jsonlPath, secret: SECRET, readonly: true });
  jsonlOriginal = read(a);
  a.close();
  const b = openStore({ path: sqlitePath, secret: SECRET, readonly: true });
  sqliteOriginal = read(b);
  b.close();
});

type ByteMutation =
  | { kind: "flip"; at: number; bit: number }
  | { kind: "set"; at: number; byte: number }
  | { kind: "insert"; at: number; bytes: number[] }
  | { kind: "delete"; at: number; len: number }
  | { kind: "truncate"; at: number }
  | { kind: "dupLine"; line: number }
  | { kind: "swapLines"; a: number; b: number };

const byteMutation: fc.Arbitrary<ByteMutation> = fc.oneof(
  fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant("set" as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({
    kind: fc.constant("insert" as const),
    at: fc.nat(),
    bytes: fc.array(fc.constantFrom(0x7b, 0x7d, 0x22, 0x5c, 0x0a, 0x20, 0x30, 0x2c, 0x3a, 0xff, 0xc3), {
      minLength: 1,
      maxLength: 4,
    }),
  }),
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), len: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("dupLine" as const), line: fc.nat() }),
  fc.record({ kind: fc.constant("swapLines" as const), a: fc.nat(), b: fc.nat() }),
);

function applyBytes(src: Buffer, muts: ByteMutation[]): Buffer {
  let b = Buffer.from(src);
  for (const m of muts) {
    const at =
      b.length === 0
        ? 0
        : m.kind === "dupLine" || m.kind === "swapLines"
          ? 0
          : (m as { at: number }).at % b.length;
    if (m.kind === "flip") b[at] = (b[at] ?? 0) ^ (1 << m.bit);
    else if (m.kind === "set") b[at] = m.byte;
    else if (m.kind === "insert")
      b = Buffer.concat([b.subarray(0, at), Buffer.from(m.bytes), b.subarray(at)]);
    else if (m.kind === "delete") b = Buffer.concat([b.subarray(0, at), b.subarray(at + m.len)]);
    else if (m.kind === "truncate") b = b.subarray(0, at);
    else {
      const lines = b.toString("latin1").split("\n");
      if (m.kind === "dupLine") {
        const i = m.line % lines.length;
        lines.splice(i, 0, lines[i]!);
      } else {
        const i = m.a % lines.length;
        const j = m.b % lines.length;
        [lines[i], lines[j]] = [lines[j]!, lines[i]!];
      }
      b = Buffer.from(lines.join("\n"), "latin1");
    }
  }
  return b;
}

describe("fuzz: mutated JSONL stores", () => {
  it("never crash, and verify OK only for the original records", () => {
    const dir = tempDir();
    let run = 0;
    fc.assert(
      fc.property(fc.array(byteMutation, { minLength: 1, maxLength: 3 }), (muts) => {
        const path = join(dir, `m${run++}.jsonl`);
        writeFileSync(path, applyBytes(jsonlBytes, muts));
        check(path, jsonlOriginal);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it("mutations of the spans sidecar too", () => {
    const dir = tempDir();
    const spans = readFileSync(jsonlPath.replace(/\.jsonl$/, ".spans.jsonl"));
    let run = 0;
    fc.assert(
      fc.property(fc.array(byteMutation, { minLength: 1, maxLength: 3 }), (muts) => {
        const path = join(dir, `s${run++}.jsonl`);
        copyFileSync(jsonlPath, path);
        writeFileSync(path.replace(/\.jsonl$/, ".spans.jsonl"), applyBytes(spans, muts));
        check(path, jsonlOriginal);
      }),
      { seed: SEED + 1, numRuns: 200 },
    );
  });
});

const CELLS: unknown[] = [
  null,
  0,
  -1,
  9007199254740993n,
  1.5,
  "",
  "x",
  "act-000001",
  "2026-03-01T10:00:01+00:00",
  Buffer.from([1, 2]),
];

type SqlMutation =
  | { kind: "cell"; table: "traces" | "weft_spans"; row: number; column: string; value: number }
  | { kind: "payloadEdit"; table: "traces" | "weft_spans"; row: number; from: string; to: string }
  | { kind: "delete"; table: "traces" | "weft_spans"; row: number }
  | { kind: "meta"; key: string; value: number };

const TRACES_COLS = ["seq", "action_id", "prev_hash", "record_hash", "invoked_at", "payload"];
const SPANS_COLS = [
  "seq",
  "prev_hash",
  "record_hash",
  "trace_id",
  "span_id",
  "parent_span_id",
  "name",
  "start_time_unix_nano",
  "action_id",
  "principal_id",
  "payload",
];

const sqlMutation: fc.Arbitrary<SqlMutation> = fc.oneof(
  fc.constantFrom("traces" as const, "weft_spans" as const).chain((table) =>
    fc.record({
      kind: fc.constant("cell" as const),
      table: fc.constant(table),
      row: fc.integer({ min: 0, max: N - 1 }),
      column: fc.constantFrom(...(table === "traces" ? TRACES_COLS : SPANS_COLS)),
      value: fc.integer({ min: 0, max: CELLS.length - 1 }),
    }),
  ),
  fc.record({
    kind: fc.constant("payloadEdit" as const),
    table: fc.constantFrom("traces" as const, "weft_spans" as const),
    row: fc.integer({ min: 0, max: N - 1 }),
    from: fc.constantFrom("agent-1", "act-00000", ":", ",", "1.5", '"', "}", "10:00"),
    to: fc.constantFrom("agent-2", "", " ", "1.50", "15e-1", "\\u0061", ",,", "}}"),
  }),
  fc.record({
    kind: fc.constant("delete" as const),
    table: fc.constantFrom("traces" as const, "weft_spans" as const),
    row: fc.integer({ min: 0, max: N - 1 }),
  }),
  fc.record({
    kind: fc.constant("meta" as const),
    key: fc.constantFrom(
      "checkpoint_hash",
      "checkpoint_next_seq",
      "weft.checkpoint_mac",
      "weft.spans.checkpoint_next_seq",
    ),
    value: fc.integer({ min: 0, max: CELLS.length - 1 }),
  }),
);

function applySql(path: string, muts: SqlMutation[]): void {
  const db = new Database(path);
  try {
    for (const m of muts) {
      try {
        if (m.kind === "cell") {
          db.prepare(`UPDATE ${m.table} SET ${m.column} = ? WHERE seq = ?`).run(
            CELLS[m.value] as never,
            m.row,
          );
        } else if (m.kind === "payloadEdit") {
          db.prepare(`UPDATE ${m.table} SET payload = replace(payload, ?, ?) WHERE seq = ?`).run(
            m.from,
            m.to,
            m.row,
          );
        } else if (m.kind === "delete") {
          db.prepare(`DELETE FROM ${m.table} WHERE seq = ?`).run(m.row);
        } else {
          db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)").run(
            m.key,
            CELLS[m.value] as never,
          );
        }
      } catch {
        // a constraint refused this edit (NOT NULL, UNIQUE): the attacker tries the next one
      }
    }
  } finally {
    db.close();
  }
}

describe("fuzz: mutated SQLite stores", () => {
  it("never crash, and verify OK only for the original records with matching indexes", () => {
    const dir = tempDir();
    let run = 0;
    fc.assert(
      fc.property(fc.array(sqlMutation, { minLength: 1, maxLength: 3 }), (muts) => {
        const path = join(dir, `m${run++}.db`);
        copyFileSync(sqlitePath, path);
        applySql(path, muts);
        check(path, sqliteOriginal);
      }),
      { seed: SEED + 2, numRuns: 120 },
    );
  });

  it("byte damage to the file is a typed error or a clean verify of the original", () => {
    const dir = tempDir();
    const bytes = readFileSync(sqlitePath);
    let run = 0;
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            at: fc.integer({ min: 0, max: bytes.length - 1 }),
            byte: fc.integer({ min: 0, max: 255 }),
          }),
          { minLength: 1, maxLength: 4 },
        ),
        (edits) => {
          const b = Buffer.from(bytes);
          for (const e of edits) b[e.at] = e.byte;
          const path = join(dir, `b${run++}.db`);
          writeFileSync(path, b);
          check(path, sqliteOriginal);
        },
      ),
      { seed: SEED + 3, numRuns: 100 },
    );
  });
});
