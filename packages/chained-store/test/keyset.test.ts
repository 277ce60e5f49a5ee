// Keyset paging by seq, seq order and the decision filter (what `weft audit serve` and
// `weft audit list --after-seq/--before-seq/--order/--decision` rely on), on every backend, checked
// against the appended records filtered here in the test.

import { join } from "node:path";
import type { ActionTrace } from "@weft/kernel";
import { afterAll, describe, expect, it } from "vitest";
import { type ChainedStore, openStore, type StoreFormat } from "../src/index.js";
import { cleanupTempDirs, sampleTrace, tempDir } from "./helpers.js";

afterAll(cleanupTempDirs);

// out of time order on purpose: seq order and (invoked_at, action_id) order must differ
const traces: ActionTrace[] = Array.from({ length: 40 }, (_, i) =>
  sampleTrace(
    (i * 7) % 40,
    i % 6 === 0 ? { eventType: "deny", reasonCode: "missing_role", error: "denied" } : {},
  ),
);

function decision(t: ActionTrace): string {
  return t.eventType === "deny" ? "deny" : t.error === null ? "allow" : "error";
}

function open(format: StoreFormat): ChainedStore {
  const path = format === "memory" ? undefined : join(tempDir(), format === "jsonl" ? "s.jsonl" : "s.db");
  const store = openStore({ format, secret: "keyset-secret", ...(path ? { path } : {}) });
  store.actions.appendBatch(traces);
  return store;
}

describe.each(["sqlite", "jsonl", "memory"] as const)("%s backend", (format) => {
  const store = open(format);
  afterAll(() => store.close());
  const seqOf = (i: number) => i; // appended in one batch from seq 0

  it("orders by seq and seq-desc, and by time by default", () => {
    const bySeq = store.actions.queryRecords({ order: "seq" }).map((r) => r.seq);
    expect(bySeq).toEqual(traces.map((_, i) => seqOf(i)));
    expect(store.actions.queryRecords({ order: "seq-desc" }).map((r) => r.seq)).toEqual([...bySeq].reverse());
    const byTime = store.actions.queryRecords({}).map((r) => r.payload.invokedAt);
    expect(byTime).toEqual([...byTime].sort());
    expect(byTime).not.toEqual(traces.map((t) => t.invokedAt));
  });

  it("afterSeq / beforeSeq bound the seq exclusively and combine with filters and limit", () => {
    const got = store.actions
      .queryRecords({ afterSeq: 5, beforeSeq: 30, decision: "allow", order: "seq-desc", limit: 4 })
      .map((r) => r.seq);
    const want = traces
      .map((t, i) => ({ t, seq: seqOf(i) }))
      .filter(({ t, seq }) => seq > 5 && seq < 30 && decision(t) === "allow")
      .map(({ seq }) => seq)
      .reverse()
      .slice(0, 4);
    expect(got).toEqual(want);
  });

  it.each(["allow", "deny", "error"] as const)("decision=%s matches exactly the %s records", (d) => {
    const got = store.actions.queryRecords({ decision: d, order: "seq" }).map((r) => r.seq);
    expect(got).toEqual(traces.flatMap((t, i) => (decision(t) === d ? [seqOf(i)] : [])));
    expect(got.length).toBeGreaterThan(0);
  });

  it("keyset pages cover every record once", () => {
    const seen: number[] = [];
    let before: number | undefined;
    for (;;) {
      const page = store.actions.queryRecords({
        order: "seq-desc",
        limit: 7,
        ...(before === undefined ? {} : { beforeSeq: before }),
      });
      if (page.length === 0) break;
      seen.push(...page.map((r) => r.seq));
      before = page[page.length - 1]?.seq;
    }
    expect(seen).toEqual(traces.map((_, i) => seqOf(traces.length - 1 - i)));
  });

  it("getRecord returns the record of an action id with its hashes", () => {
    const r = store.actions.getRecord(traces[9]?.actionId ?? "");
    expect(r?.seq).toBe(9);
    expect(r?.recordHash).toBe(store.actions.getBySeq(9)?.recordHash);
    expect(store.actions.getRecord("no-such-action")).toBeUndefined();
  });

  it("rejects a bad decision, order or negative bound with a typed error", () => {
    expect(() => store.actions.queryRecords({ decision: "maybe" as "allow" })).toThrow(/decision must be/);
    expect(() => store.actions.queryRecords({ order: "random" as "seq" })).toThrow(/order must be/);
    expect(() => store.actions.queryRecords({ afterSeq: -1 })).toThrow(/afterSeq/);
  });
});
