// Property: any single mutation, insertion, deletion or reordering of records is detected, and
// the first bad seq is the one the reference's verify_chain reports. Checked on plain record
// arrays (verifyChain) and on a real SQLite store edited behind the store's back.

import Database from "better-sqlite3";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import {
  type ChainRecord,
  computeRecordHash,
  GENESIS_HASH,
  type JsonValue,
  openStore,
  verifyChain,
} from "../src/index.js";
import { cleanupTempDirs, sampleTrace, tempDir } from "./helpers.js";

const SECRET = "property-secret";

function buildChain(payloads: JsonValue[]): ChainRecord[] {
  let prev = GENESIS_HASH;
  return payloads.map((payload, seq) => {
    const recordHash = computeRecordHash(SECRET, seq, prev, payload);
    const r = { seq, prevHash: prev, recordHash, payload };
    prev = recordHash;
    return r;
  });
}

type Op =
  | { kind: "mutate"; at: number; value: JsonValue }
  | { kind: "delete"; at: number }
  | { kind: "insert"; at: number; forgedHash: string }
  | { kind: "swap"; a: number; b: number };

/** Applies one tampering and returns the expected verification outcome (null = undetectable). */
function tamper(chain: ChainRecord[], op: Op): { records: ChainRecord[]; firstBad: number | null } {
  const records = chain.map((r) => ({ ...r }));
  switch (op.kind) {
    case "mutate":
      records[op.at] = {
        ...records[op.at]!,
        payload: { ...(records[op.at]!.payload as object), tampered: op.value },
      };
      return { records, firstBad: op.at };
    case "delete":
      records.splice(op.at, 1);
      // Deleting the tail is undetectable by a linear chain (documented limit).
      return { records, firstBad: op.at === chain.length - 1 ? null : op.at + 1 };
    case "insert": {
      // A forger without the secret: contiguous seq, correct link, but a hash it had to guess.
      const prev = op.at === 0 ? GENESIS_HASH : chain[op.at - 1]!.recordHash;
      records.splice(op.at, 0, {
        seq: op.at,
        prevHash: prev,
        recordHash: op.forgedHash,
        payload: { forged: true },
      });
      return { records, firstBad: op.at };
    }
    case "swap": {
      const [a, b] = [Math.min(op.a, op.b), Math.max(op.a, op.b)];
      [records[a], records[b]] = [records[b]!, records[a]!];
      return { records, firstBad: b };
    }
  }
}

const payloadArb: fc.Arbitrary<JsonValue> = fc.record({
  action_id: fc.uuid(),
  n: fc.integer(),
  f: fc.double({ noNaN: true, noDefaultInfinity: true }),
  s: fc.string({ unit: "binary", maxLength: 12 }),
}) as fc.Arbitrary<JsonValue>;

const scenarioArb = fc.array(payloadArb, { minLength: 2, maxLength: 12 }).chain((payloads) => {
  const n = payloads.length;
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.record({
      kind: fc.constant("mutate" as const),
      at: fc.nat(n - 1),
      value: fc.jsonValue({ maxDepth: 1 }) as fc.Arbitrary<JsonValue>,
    }),
    fc.record({ kind: fc.constant("delete" as const), at: fc.nat(n - 1) }),
    fc.record({
      kind: fc.constant("insert" as const),
      at: fc.nat(n),
      forgedHash: fc.stringMatching(/^[0-9a-f]{64}$/),
    }),
    fc
      .tuple(fc.nat(n - 1), fc.nat(n - 1))
      .filter(([a, b]) => a !== b)
      .map(([a, b]) => ({ kind: "swap" as const, a, b })),
  );
  return fc.tuple(fc.constant(payloads), op);
});

afterAll(cleanupTempDirs);

describe("tamper detection", () => {
  it("an untouched chain verifies", () => {
    fc.assert(
      fc.property(fc.array(payloadArb, { maxLength: 20 }), (payloads) => {
        const r = verifyChain(buildChain(payloads), { secret: SECRET });
        expect(r).toEqual({
          ok: true,
          recordsChecked: payloads.length,
          firstBadSeq: null,
          detail: `Verified ${payloads.length} record(s).`,
        });
      }),
    );
  });

  it("property: a single mutation/insertion/deletion/reorder is caught at the right first bad seq", () => {
    fc.assert(
      fc.property(scenarioArb, ([payloads, op]) => {
        const { records, firstBad } = tamper(buildChain(payloads), op);
        const r = verifyChain(records, { secret: SECRET });
        if (firstBad === null) {
          expect(r.ok).toBe(true);
          return;
        }
        expect(r.ok).toBe(false);
        expect(r.firstBadSeq).toBe(firstBad);
        // records_checked is the 1-based position of the failing record.
        expect(records[r.recordsChecked - 1]!.seq).toBe(r.firstBadSeq);
      }),
      { numRuns: 400 },
    );
  });

  it("deleting the head breaks the link at the new head (genesis mismatch)", () => {
    const chain = buildChain([{ a: 1 }, { a: 2 }, { a: 3 }]);
    expect(verifyChain(chain.slice(1), { secret: SECRET })).toEqual({
      ok: false,
      recordsChecked: 1,
      firstBadSeq: 1,
      detail:
        "Broken link at seq 1: prev_hash does not match the preceding record's hash (insertion, deletion, or reorder).",
    });
  });

  it("a non-ASCII look-alike written into a stored payload is caught (no byte folding on the fast path)", () => {
    const path = `${tempDir()}/fold.sqlite`;
    const store = openStore({ path, secret: SECRET });
    store.actions.appendBatch([0, 1].map((i) => sampleTrace(i, { principalId: "Alice" })));
    store.close();
    const db = new Database(path);
    // U+0141 has the low byte of "A": hashing stored text as latin1 would fold it back to "Alice".
    db.prepare("UPDATE traces SET payload = replace(payload, 'Alice', ?) WHERE seq = 1").run("\u0141lice");
    db.close();
    const ro = openStore({ path, secret: SECRET, readonly: true });
    expect(ro.verify("actions")).toMatchObject({ ok: false, firstBadSeq: 1 });
    ro.close();
  });

  it("property (SQLite file edited behind the store): a changed payload, a deleted row or a swapped seq is caught", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 3, max: 15 }),
        fc.nat(),
        fc.constantFrom("mutate", "delete", "swap"),
        (n, pick, kind) => {
          const path = `${tempDir()}/p.sqlite`;
          const store = openStore({ path, secret: SECRET, synchronous: "NORMAL" });
          store.actions.appendBatch(Array.from({ length: n }, (_, i) => sampleTrace(i)));
          store.close();
          const at = pick % (n - 1); // never the tail, which is undetectable by design
          const db = new Database(path);
          let expected = at;
          if (kind === "mutate") {
            db.prepare(
              "UPDATE traces SET payload = replace(payload, '\"agent-', '\"mallory-') WHERE seq = ?",
            ).run(at);
          } else if (kind === "delete") {
            db.prepare("DELETE FROM traces WHERE seq = ?").run(at);
            expected = at + 1;
          } else {
            // Swap two rows' contents (keeping seq order of rows): the record at `at` now carries seq at+1.
            const a = db.prepare("SELECT * FROM traces WHERE seq = ?").get(at) as Record<string, unknown>;
            const b = db.prepare("SELECT * FROM traces WHERE seq = ?").get(at + 1) as Record<string, unknown>;
            db.prepare("DELETE FROM traces WHERE seq IN (?, ?)").run(at, at + 1);
            const ins = db.prepare(
              "INSERT INTO traces (seq, action_id, prev_hash, record_hash, invoked_at, payload) VALUES (@seq, @action_id, @prev_hash, @record_hash, @invoked_at, @payload)",
            );
            ins.run({ ...b, seq: at });
            ins.run({ ...a, seq: at + 1 });
          }
          db.close();
          const ro = openStore({ path, secret: SECRET, readonly: true });
          const r = ro.verify("actions");
          ro.close();
          expect(r.ok).toBe(false);
          expect(r.firstBadSeq).toBe(expected);
        },
      ),
      { numRuns: 30 },
    );
  });
});
