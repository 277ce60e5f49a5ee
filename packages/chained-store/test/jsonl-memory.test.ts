// JSONL backend (reference line format, resume, torn tail + repair, corrupt lines) and the
// bounded in-memory backend.

import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openStore, repairJsonlStore, spansPathFor } from "../src/index.js";
import { cleanupTempDirs, copyFixture, sampleSpan, sampleTrace, tempDir, VECTOR_SECRET } from "./helpers.js";

const SECRET = "jsonl-test-secret";
afterAll(cleanupTempDirs);

describe("JSONL", () => {
  it("writes the reference line layout and resumes the chain on open", () => {
    const path = join(tempDir(), "audit.jsonl");
    const a = openStore({ path, secret: SECRET });
    a.actions.appendBatch([sampleTrace(0), sampleTrace(1)]);
    a.close();
    const lines = readFileSync(path, "utf8").split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe("");
    expect(lines[1]).toMatch(
      /^\{"seq": 1, "prev_hash": "[0-9a-f]{64}", "record_hash": "[0-9a-f]{64}", "trace": \{.*\}\}$/,
    );
    const b = openStore({ path, secret: SECRET });
    expect(b.actions.append(sampleTrace(2)).seq).toBe(2);
    expect(b.verify("actions")).toMatchObject({ ok: true, recordsChecked: 3 });
    expect(() => b.actions.record(sampleTrace(0))).toThrow(
      expect.objectContaining({ code: "DUPLICATE_ACTION_ID" }),
    );
    b.spans.append(sampleSpan(0));
    expect(existsSync(spansPathFor(path))).toBe(true);
    expect(b.verify("spans")).toMatchObject({ ok: true, recordsChecked: 1 });
    b.close();
  });

  it("appends after a reference-written file and the result verifies", () => {
    const path = copyFixture("chain.jsonl");
    const store = openStore({ path, secret: VECTOR_SECRET });
    expect(store.actions.append(sampleTrace(100)).seq).toBe(12);
    expect(store.verify("actions")).toMatchObject({ ok: true, recordsChecked: 13 });
    store.close();
  });

  it("a torn last line is a typed error naming file and line; repair moves it aside and appends continue", () => {
    const path = join(tempDir(), "torn.jsonl");
    const store = openStore({ path, secret: SECRET });
    store.actions.appendBatch([0, 1, 2].map((i) => sampleTrace(i)));
    store.close();
    const torn = '{"seq": 3, "prev_hash": "abc", "record_ha';
    appendFileSync(path, torn);
    let caught: unknown;
    try {
      openStore({ path, secret: SECRET });
    } catch (e) {
      caught = e;
    }
    expect(caught).toMatchObject({ code: "STORE_TORN_TAIL", line: 4 });
    expect(String((caught as Error).message)).toContain(`${path}:4`);
    const result = repairJsonlStore(path);
    expect(result).toMatchObject({ torn: true, line: 4, completed: false, bytes: torn.length });
    expect(readFileSync(result.movedTo!, "utf8")).toBe(torn);
    expect(repairJsonlStore(path)).toMatchObject({ torn: false });
    const again = openStore({ path, secret: SECRET });
    expect(again.actions.append(sampleTrace(3)).seq).toBe(3);
    expect(again.verify("actions")).toMatchObject({ ok: true, recordsChecked: 4 });
    again.close();
  });

  it("repair completes a whole record that only lost its newline instead of moving it", () => {
    const path = join(tempDir(), "nonl.jsonl");
    const store = openStore({ path, secret: SECRET });
    store.actions.appendBatch([0, 1].map((i) => sampleTrace(i)));
    store.close();
    writeFileSync(path, readFileSync(path, "utf8").replace(/\n$/, ""));
    expect(() => openStore({ path, secret: SECRET })).toThrow(
      expect.objectContaining({ code: "STORE_TORN_TAIL" }),
    );
    expect(repairJsonlStore(path)).toMatchObject({ torn: true, completed: true, movedTo: null });
    const again = openStore({ path, secret: SECRET });
    expect(again.verify("actions")).toMatchObject({ ok: true, recordsChecked: 2 });
    again.close();
  });

  it("a corrupt complete line is STORE_CORRUPT with file:line; a non-store file is NOT_A_STORE", () => {
    const path = join(tempDir(), "corrupt.jsonl");
    const store = openStore({ path, secret: SECRET });
    store.actions.appendBatch([0, 1].map((i) => sampleTrace(i)));
    store.close();
    appendFileSync(path, "garbage\n");
    let caught: unknown;
    try {
      openStore({ path, secret: SECRET });
    } catch (e) {
      caught = e;
    }
    expect(caught).toMatchObject({ code: "STORE_CORRUPT", line: 3 });
    expect(String((caught as Error).message)).toContain(`${path}:3`);
    const notStore = join(tempDir(), "notes.jsonl");
    writeFileSync(notStore, "hello world\n");
    expect(() => openStore({ path: notStore, secret: SECRET })).toThrow(
      expect.objectContaining({ code: "NOT_A_STORE" }),
    );
  });

  it("WRONG_SECRET when appending with another secret", () => {
    const path = copyFixture("chain.jsonl");
    expect(() => openStore({ path, secret: "wrong-secret" })).toThrow(
      expect.objectContaining({ code: "WRONG_SECRET" }),
    );
  });

  it("writers take turns (one at a time, STORE_LOCKED otherwise) and continue one chain", () => {
    const path = join(tempDir(), "two.jsonl");
    const a = openStore({ path, secret: SECRET });
    expect(() => openStore({ path, secret: SECRET })).toThrow(
      expect.objectContaining({ code: "STORE_LOCKED" }),
    );
    a.actions.append(sampleTrace(0));
    a.close();
    const b = openStore({ path, secret: SECRET });
    b.actions.append(sampleTrace(1));
    b.close();
    const c = openStore({ path, secret: SECRET });
    c.actions.append(sampleTrace(2));
    c.close();
    const ro = openStore({ path, secret: SECRET, readonly: true });
    expect(ro.verify("actions")).toMatchObject({ ok: true, recordsChecked: 3 });
    ro.close();
  });
});

describe("memory backend", () => {
  it("is bounded: the oldest records become the checkpoint and what is held verifies", () => {
    const store = openStore({ format: "memory", maxRecords: 3, secret: SECRET });
    store.actions.appendBatch([0, 1, 2, 3, 4].map((i) => sampleTrace(i)));
    expect(store.actions.count()).toBe(3);
    expect([...store.actions.iterate()].map((r) => r.seq)).toEqual([2, 3, 4]);
    expect(store.actions.get("act-000000")).toBeUndefined();
    expect(store.actions.getBySeq(3)?.payload.actionId).toBe("act-000003");
    expect(store.verify("actions")).toMatchObject({ ok: true, recordsChecked: 3 });
    expect(store.actions.prune("2026-03-01T10:00:04+00:00")).toBe(2);
    expect(store.actions.append(sampleTrace(5)).seq).toBe(5);
    expect(store.verify("actions")).toMatchObject({ ok: true, recordsChecked: 2 });
    store.spans.appendBatch([0, 1].map((i) => sampleSpan(i)));
    expect(store.spans.trace(sampleSpan(0).trace_id)).toHaveLength(1);
    store.close();
  });

  it("rejects a non-positive bound", () => {
    expect(() => openStore({ format: "memory", maxRecords: 0, secret: SECRET })).toThrow(
      expect.objectContaining({ code: "INVALID_ARGUMENT" }),
    );
  });
});
