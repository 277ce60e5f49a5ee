// One TraceStore conformance suite, run against every implementation of the port: the kernel's
// in-memory store and the chained store's memory, SQLite and JSONL backends. A behaviour of the
// port (filters, the since/until grammar, ordering, paging, errors) is written here once, so two
// implementations can no longer disagree (issue 12). Expected results are worked out by hand
// from the fixture below, never taken from one of the implementations.
import { rmSync } from "node:fs";
import { join } from "node:path";
import { type ActionTrace, InMemoryTraceStore, type TraceQuery, type TraceStore } from "@weft/kernel";
import { afterAll, describe, expect, it } from "vitest";
import { openStore } from "../src/index.js";
import { sampleTrace, tempDir } from "./helpers.js";

interface Impl {
  store: TraceStore;
  close(): void;
}

const dir = tempDir();
let n = 0;
const IMPLEMENTATIONS: Array<[string, () => Impl]> = [
  ["kernel InMemoryTraceStore", () => ({ store: new InMemoryTraceStore(), close() {} })],
  [
    "chained-store memory",
    () => {
      const s = openStore({ format: "memory", secret: "conformance" });
      return { store: s.actions, close: () => s.close() };
    },
  ],
  [
    "chained-store SQLite",
    () => {
      const s = openStore({ path: join(dir, `c${n++}.sqlite`), secret: "conformance" });
      return { store: s.actions, close: () => s.close() };
    },
  ],
  [
    "chained-store JSONL",
    () => {
      const s = openStore({ path: join(dir, `c${n++}.jsonl`), secret: "conformance" });
      return { store: s.actions, close: () => s.close() };
    },
  ],
];

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Ten traces: t0..t9 at 10:00:0i (t4 and t5 share 10:00:04.5 to test the action-id tie-break,
 * recorded in reverse id order), principals p0/p1 alternating, t3 and t8 failed, t6 a deny with a
 * reason code, t7 an expand.
 */
function fixture(): ActionTrace[] {
  const out: ActionTrace[] = [];
  for (let i = 0; i < 10; i++) {
    const at = i === 4 || i === 5 ? "2026-03-01T10:00:04.500000+00:00" : `2026-03-01T10:00:0${i}+00:00`;
    out.push(
      sampleTrace(i, {
        actionId: `t${i}`,
        principalId: `p${i % 2}`,
        capabilityId: i < 5 ? "crm.read" : "crm.write",
        invokedAt: at,
        error: i === 3 || i === 8 ? "boom" : null,
        eventType: i === 6 ? "deny" : i === 7 ? "expand" : "invoke",
        reasonCode: i === 6 ? "POLICY_DENIED_ROLE" : null,
      }),
    );
  }
  // Recorded out of time order: t5 before t4, t9 first.
  const order = [9, 0, 1, 2, 3, 5, 4, 6, 7, 8];
  return order.map((i) => out[i] as ActionTrace);
}

const ids = (ts: ActionTrace[]) => ts.map((t) => t.actionId);

for (const [name, make] of IMPLEMENTATIONS) {
  describe(`TraceStore conformance: ${name}`, () => {
    const filled = (): Impl => {
      const impl = make();
      for (const t of fixture()) impl.store.record(t);
      return impl;
    };

    it("get returns what was recorded; unknown ids are undefined; listAll holds every trace", () => {
      const { store, close } = filled();
      expect(store.get("t4")).toMatchObject({
        actionId: "t4",
        invokedAt: "2026-03-01T10:00:04.500000+00:00",
      });
      expect(store.get("nope")).toBeUndefined();
      expect(ids(store.listAll()).sort()).toEqual([
        "t0",
        "t1",
        "t2",
        "t3",
        "t4",
        "t5",
        "t6",
        "t7",
        "t8",
        "t9",
      ]);
      close();
    });

    it("orders by (invoked_at, action_id), whatever the recording order", () => {
      const { store, close } = filled();
      expect(ids(store.query({}))).toEqual(["t0", "t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8", "t9"]);
      close();
    });

    it("AND-combines the filters", () => {
      const { store, close } = filled();
      const cases: Array<[TraceQuery, string[]]> = [
        [{ principalId: "p1" }, ["t1", "t3", "t5", "t7", "t9"]],
        [{ capabilityId: "crm.write", principalId: "p0" }, ["t6", "t8"]],
        [{ outcome: "failed" }, ["t3", "t8"]],
        [{ outcome: "succeeded", capabilityId: "crm.read" }, ["t0", "t1", "t2", "t4"]],
        [{ eventType: "deny" }, ["t6"]],
        [{ eventType: "expand" }, ["t7"]],
        [{ reasonCode: "POLICY_DENIED_ROLE" }, ["t6"]],
        [{ principalId: "nobody" }, []],
      ];
      for (const [q, want] of cases) expect(ids(store.query(q)), JSON.stringify(q)).toEqual(want);
      close();
    });

    it("reads since (inclusive) and until (exclusive) in the one grammar, truncated to microseconds", () => {
      const { store, close } = filled();
      const cases: Array<[TraceQuery, string[]]> = [
        [{ since: "2026-03-01T10:00:04.5Z" }, ["t4", "t5", "t6", "t7", "t8", "t9"]],
        // Seven fraction digits: the kernel's in-memory store used to throw here while SQLite
        // accepted it. Python truncates to 10:00:04.500000, so t4/t5 are included.
        [{ since: "2026-03-01T10:00:04.5000009Z" }, ["t4", "t5", "t6", "t7", "t8", "t9"]],
        [{ since: "2026-03-01T10:00:04.500001Z" }, ["t6", "t7", "t8", "t9"]],
        [{ until: "2026-03-01T10:00:03Z" }, ["t0", "t1", "t2"]],
        [{ since: "2026-03-01T12:00:02+02:00", until: "2026-03-01 10:00:04" }, ["t2", "t3"]],
        [{ since: "2026-03-01T09:30:05-00:30" }, ["t6", "t7", "t8", "t9"]], // 10:00:05Z: after t4/t5
        [{ since: new Date(Date.UTC(2026, 2, 1, 10, 0, 8)) }, ["t8", "t9"]],
        [{ since: "2026-03-01" }, ["t0", "t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8", "t9"]],
        [{ until: "2026-03-01" }, []],
        [{ since: "2026-03-01T10:00:09.000000001Z" }, ["t9"]], // truncated to 10:00:09.000000, as Python does
      ];
      for (const [q, want] of cases) expect(ids(store.query(q)), JSON.stringify(q)).toEqual(want);
      close();
    });

    it("pages with offset/limit: disjoint and complete", () => {
      const { store, close } = filled();
      const pages: string[] = [];
      for (let offset = 0; offset < 12; offset += 3) pages.push(...ids(store.query({ offset, limit: 3 })));
      expect(pages).toEqual(["t0", "t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8", "t9"]);
      expect(store.query({ limit: 0 })).toEqual([]);
      expect(store.query({ offset: 10 })).toEqual([]);
      expect(ids(store.query({ principalId: "p0", offset: 1, limit: 2 }))).toEqual(["t2", "t4"]);
      close();
    });

    it("refuses bad queries with INVALID_ARGUMENT, the same ones everywhere", () => {
      const { store, close } = filled();
      const bad: TraceQuery[] = [
        { since: "2026-02-31T00:00:00Z" },
        { since: "yesterday" },
        { until: "2026-03-01T10:00:00.1234567890Z" },
        { since: new Date(Number.NaN) },
        { limit: -1 },
        { limit: 1.5 },
        { limit: Number.NaN },
        { offset: -1 },
        { offset: Number.POSITIVE_INFINITY },
        { outcome: "maybe" as unknown as "failed" },
        { principalId: 7 as unknown as string },
      ];
      for (const q of bad) {
        expect(() => store.query(q), JSON.stringify(q)).toThrow(
          expect.objectContaining({ code: "INVALID_ARGUMENT" }),
        );
      }
      close();
    });

    it("refuses a second trace with the same action id, keeping the first", () => {
      const { store, close } = filled();
      expect(() => store.record(sampleTrace(99, { actionId: "t1" }))).toThrow(
        expect.objectContaining({ code: "DUPLICATE_ACTION_ID" }),
      );
      expect(store.get("t1")?.principalId).toBe("p1");
      expect(store.listAll()).toHaveLength(10);
      close();
    });

    it("refuses traces it could not hold faithfully, recording nothing", () => {
      const impl = make();
      for (const t of [
        sampleTrace(1, { actionId: "" }),
        sampleTrace(2, { invokedAt: "2026-03-01T10:00:00Z" }), // not the stored UTC layout
        sampleTrace(3, { invokedAt: "2026-03-01T10:00:00+02:00" }),
        sampleTrace(4, { invokedAt: "2026-02-30T10:00:00+00:00" }),
      ]) {
        expect(() => impl.store.record(t), t.invokedAt).toThrow(
          expect.objectContaining({ code: "INVALID_ARGUMENT" }),
        );
      }
      expect(impl.store.listAll()).toEqual([]);
      impl.close();
    });
  });
}
