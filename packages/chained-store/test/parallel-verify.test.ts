// Parallel verify (record HMACs in worker threads) must report exactly what the serial verify
// reports: same ok, records_checked, first bad seq and message, on intact and tampered stores —
// tampers at the start, the middle, the end and inside the last partial batch. The stores are real
// SQLite and JSONL files edited behind the store's back; the expected seq is the one the edit hit.

import { readFileSync, writeFileSync } from "node:fs";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore, type VerifyResult, VerifyWorkerError } from "../src/index.js";
import { VERIFY_BATCH } from "../src/parallel-verify.js";
import { cleanupTempDirs, sampleTrace, tempDir } from "./helpers.js";

const SECRET = "parallel-verify-secret";
// Four full batches and a partial fifth, so "last partial batch" is a real case.
const N = 4 * VERIFY_BATCH + 777;
const LAST_PARTIAL = 4 * VERIFY_BATCH + 300;

let template = "";
let jsonlTemplate = "";
beforeAll(() => {
  template = `${tempDir()}/template.sqlite`;
  const s = openStore({ path: template, secret: SECRET, synchronous: "NORMAL" });
  for (let at = 0; at < N; at += 2000)
    s.actions.appendBatch(Array.from({ length: Math.min(2000, N - at) }, (_, k) => sampleTrace(at + k)));
  s.close();
  jsonlTemplate = `${tempDir()}/template.jsonl`;
  const j = openStore({ path: jsonlTemplate, secret: SECRET });
  for (let at = 0; at < N; at += 2000)
    j.actions.appendBatch(Array.from({ length: Math.min(2000, N - at) }, (_, k) => sampleTrace(at + k)));
  j.close();
});
afterAll(cleanupTempDirs);

function copyOf(src: string, suffix: string): string {
  const dest = `${tempDir()}/store${suffix}`;
  writeFileSync(dest, readFileSync(src));
  return dest;
}

function verifyBoth(path: string): { serial: VerifyResult; parallel: VerifyResult[] } {
  const s = openStore({ path, secret: SECRET, readonly: true });
  try {
    const serial = s.actions.verify({ jobs: 1 });
    const parallel = [2, 3].map((jobs) => s.actions.verify({ jobs, parallelMinRecords: 0 }));
    return { serial, parallel };
  } finally {
    s.close();
  }
}

describe("parallel verify agrees with serial verify", () => {
  it("on an intact SQLite store", () => {
    const { serial, parallel } = verifyBoth(copyOf(template, ".sqlite"));
    expect(serial).toEqual({
      ok: true,
      recordsChecked: N,
      firstBadSeq: null,
      detail: `Verified ${N} record(s).`,
    });
    for (const p of parallel) expect(p).toEqual(serial);
  });

  for (const [where, at] of [
    ["start", 0],
    ["middle", Math.floor(N / 2)],
    ["last partial batch", LAST_PARTIAL],
    ["end", N - 1],
  ] as const) {
    it(`on a SQLite store with a payload changed at the ${where} (seq ${at})`, () => {
      const path = copyOf(template, ".sqlite");
      const db = new Database(path);
      db.prepare("UPDATE traces SET payload = replace(payload, '\"agent-', '\"mallory-') WHERE seq = ?").run(
        at,
      );
      db.close();
      const { serial, parallel } = verifyBoth(path);
      expect(serial.ok).toBe(false);
      expect(serial.firstBadSeq).toBe(at);
      expect(serial.detail).toContain(`Tampered record at seq ${at}`);
      for (const p of parallel) expect(p).toEqual(serial);
    });
  }

  it("on a deleted row, a forged hash and a tampered index column: the first of them is reported", () => {
    const path = copyOf(template, ".sqlite");
    const db = new Database(path);
    db.prepare("UPDATE traces SET action_id = 'hidden' WHERE seq = ?").run(VERIFY_BATCH + 5);
    db.prepare("DELETE FROM traces WHERE seq = ?").run(2 * VERIFY_BATCH);
    db.prepare("UPDATE traces SET record_hash = ? WHERE seq = ?").run("f".repeat(64), LAST_PARTIAL);
    db.close();
    const { serial, parallel } = verifyBoth(path);
    expect(serial).toMatchObject({ ok: false, firstBadSeq: VERIFY_BATCH + 5 });
    expect(serial.detail).toContain("Tampered index");
    for (const p of parallel) expect(p).toEqual(serial);
  });

  it("on a deleted row: the link break after it", () => {
    const path = copyOf(template, ".sqlite");
    const db = new Database(path);
    db.prepare("DELETE FROM traces WHERE seq = ?").run(3 * VERIFY_BATCH - 1);
    db.close();
    const { serial, parallel } = verifyBoth(path);
    expect(serial).toMatchObject({ ok: false, firstBadSeq: 3 * VERIFY_BATCH });
    for (const p of parallel) expect(p).toEqual(serial);
  });

  it("on a re-serialized (non-canonical but authentic) record: both take the re-canonicalization path", () => {
    const path = copyOf(template, ".sqlite");
    const db = new Database(path);
    const row = db.prepare("SELECT payload FROM traces WHERE seq = ?").get(1234) as { payload: string };
    db.prepare("UPDATE traces SET payload = ? WHERE seq = ?").run(
      JSON.stringify(JSON.parse(row.payload), null, 1),
      1234,
    );
    db.close();
    const { serial, parallel } = verifyBoth(path);
    expect(serial.ok).toBe(true);
    for (const p of parallel) expect(p).toEqual(serial);
  });

  it("on a JSONL store, intact and with a line edited in the last partial batch", () => {
    const intact = verifyBoth(copyOf(jsonlTemplate, ".jsonl"));
    expect(intact.serial.ok).toBe(true);
    for (const p of intact.parallel) expect(p).toEqual(intact.serial);
    const path = copyOf(jsonlTemplate, ".jsonl");
    const lines = readFileSync(path, "utf8").split("\n");
    const seqAt = new RegExp(`"seq": ?${LAST_PARTIAL}[,}]`);
    const i = lines.findIndex((l) => seqAt.test(l));
    expect(i).toBeGreaterThan(0);
    lines[i] = lines[i]!.replace('"agent-', '"mallory-');
    writeFileSync(path, lines.join("\n"));
    const { serial, parallel } = verifyBoth(path);
    expect(serial).toMatchObject({ ok: false, firstBadSeq: LAST_PARTIAL });
    for (const p of parallel) expect(p).toEqual(serial);
  });

  it("small stores verify serially unless told otherwise, with the same result", () => {
    const s = openStore({ path: copyOf(template, ".sqlite"), secret: SECRET, readonly: true });
    try {
      expect(s.actions.verify({ jobs: 4 })).toEqual(s.actions.verify({ jobs: 1 }));
    } finally {
      s.close();
    }
  });

  it("a crashed hashing worker is a typed error, not a hang or a pass", () => {
    const s = openStore({ path: copyOf(template, ".sqlite"), secret: SECRET, readonly: true });
    try {
      let caught: unknown;
      try {
        s.actions.verify({ jobs: 3, parallelMinRecords: 0, faultAtBatch: 1 });
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(VerifyWorkerError);
      expect((caught as VerifyWorkerError).code).toBe("VERIFY_WORKER_FAILED");
      expect((caught as Error).message).toContain("exited with code 70");
      expect((caught as Error).message).not.toContain(SECRET);
      // The store is still usable and verifies afterwards.
      expect(s.actions.verify({ jobs: 2, parallelMinRecords: 0 }).ok).toBe(true);
    } finally {
      s.close();
    }
  });
});
