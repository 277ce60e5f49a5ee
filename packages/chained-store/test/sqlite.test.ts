// SQLite backend: the reference's exact layout, indexed queries, typed errors (not a store,
// wrong secret, duplicate id, locked past the timeout, read-only), spans, revocations.

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { openStore, SqliteRevocationStore } from "../src/index.js";
import { cleanupTempDirs, sampleSpan, sampleTrace, TRACE_A, tempDir } from "./helpers.js";

const SECRET = "sqlite-test-secret";
afterAll(cleanupTempDirs);

function freshPath(name = "store.sqlite"): string {
  return join(tempDir(), name);
}

describe("SQLite layout", () => {
  it("creates the reference's traces/meta tables with the same columns, plus Weft tables and indexes", () => {
    const path = freshPath();
    const open = openStore({ path, secret: SECRET });
    const live = new Database(path, { readonly: true });
    expect(live.pragma("journal_mode", { simple: true })).toBe("wal"); // WAL while written
    live.close();
    open.close();
    const db = new Database(path, { readonly: true });
    const cols = (
      db.prepare("PRAGMA table_info(traces)").all() as Array<{
        name: string;
        type: string;
        pk: number;
        notnull: number;
      }>
    ).map((c) => [c.name, c.type, c.pk, c.notnull]);
    expect(cols).toEqual([
      ["seq", "INTEGER", 1, 0],
      ["action_id", "TEXT", 0, 1],
      ["prev_hash", "TEXT", 0, 1],
      ["record_hash", "TEXT", 0, 1],
      ["invoked_at", "TEXT", 0, 1],
      ["payload", "TEXT", 0, 1],
    ]);
    expect(
      (db.prepare("PRAGMA table_info(meta)").all() as Array<{ name: string }>).map((c) => c.name),
    ).toEqual(["key", "value"]);
    // Rollback mode at rest, so read-only opens of evidence create no -wal/-shm beside it.
    expect(db.pragma("journal_mode", { simple: true })).toBe("delete");
    const spanCols = (db.prepare("PRAGMA table_info(weft_spans)").all() as Array<{ name: string }>).map(
      (c) => c.name,
    );
    expect(spanCols).toEqual(
      expect.arrayContaining([
        "trace_id",
        "span_id",
        "parent_span_id",
        "name",
        "start_time_unix_nano",
        "action_id",
        "principal_id",
      ]),
    );
    db.close();
  });

  it("stores each action's invoked_at column and canonical payload, and the reference's meta keys after prune", () => {
    const path = freshPath();
    const store = openStore({ path, secret: SECRET });
    store.actions.appendBatch([sampleTrace(0), sampleTrace(1), sampleTrace(2)]);
    expect(store.actions.prune("2026-03-01T10:00:02+00:00")).toBe(2);
    store.close();
    const db = new Database(path, { readonly: true });
    const row = db.prepare("SELECT * FROM traces").get() as Record<string, unknown>;
    expect(row["invoked_at"]).toBe("2026-03-01T10:00:02+00:00");
    expect(row["seq"]).toBe(2);
    const meta = db.prepare("SELECT value FROM meta WHERE key = ?").pluck();
    expect(meta.get("checkpoint_next_seq")).toBe("2");
    expect(meta.get("checkpoint_hash")).toMatch(/^[0-9a-f]{64}$/);
    db.close();
  });

  it("answers queries from indexes, not table scans", () => {
    const path = freshPath();
    const open = openStore({ path, secret: SECRET });
    const live = new Database(path, { readonly: true });
    expect(live.pragma("journal_mode", { simple: true })).toBe("wal"); // WAL while written
    live.close();
    open.close();
    const db = new Database(path, { readonly: true });
    const field = (f: string) => `(CASE WHEN json_valid(payload) THEN json_extract(payload, '$.${f}') END)`;
    const plans = [
      `SELECT * FROM traces WHERE ${field("principal_id")} = 'x' ORDER BY invoked_at, action_id`,
      `SELECT * FROM traces WHERE ${field("capability_id")} = 'x' ORDER BY invoked_at, action_id`,
      "SELECT * FROM traces WHERE invoked_at >= 'a' AND invoked_at < 'b' ORDER BY invoked_at, action_id",
      "SELECT * FROM weft_spans WHERE trace_id = 'x' ORDER BY start_time_unix_nano, seq",
      "SELECT * FROM weft_spans WHERE action_id = 'x'",
      "SELECT * FROM weft_spans WHERE principal_id = 'x' ORDER BY start_time_unix_nano, seq",
    ].map((sql) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as Array<{ detail: string }>)
        .map((r) => r.detail)
        .join("; "),
    );
    for (const plan of plans) {
      expect(plan).toMatch(/USING (COVERING )?INDEX/);
      expect(plan).not.toMatch(/^SCAN (traces|weft_spans)$/);
    }
    db.close();
  });
});

describe("SQLite typed errors", () => {
  it("NOT_A_STORE for a file that is not SQLite, a foreign SQLite database, or a missing file read-only", () => {
    const junk = freshPath("junk.sqlite");
    writeFileSync(
      junk,
      "this is not a database, just some text that is long enough to have a header".repeat(20),
    );
    expect(() => openStore({ path: junk, secret: SECRET })).toThrow(
      expect.objectContaining({ code: "NOT_A_STORE" }),
    );
    const foreign = freshPath("foreign.sqlite");
    const db = new Database(foreign);
    db.exec("CREATE TABLE customers (id INTEGER)");
    db.close();
    expect(() => openStore({ path: foreign, secret: SECRET })).toThrow(
      expect.objectContaining({ code: "NOT_A_STORE" }),
    );
    expect(() => openStore({ path: freshPath("missing.sqlite"), readonly: true, secret: SECRET })).toThrow(
      expect.objectContaining({ code: "NOT_A_STORE" }),
    );
  });

  it("WRONG_SECRET when opening for writing with another secret; verify read-only reports the reference's detail", () => {
    const path = freshPath();
    const store = openStore({ path, secret: SECRET });
    store.actions.record(sampleTrace(0));
    store.close();
    let caught: unknown;
    try {
      openStore({ path, secret: "not-the-secret" });
    } catch (e) {
      caught = e;
    }
    expect(caught).toMatchObject({ code: "WRONG_SECRET" });
    expect(String((caught as Error).message)).not.toContain("not-the-secret");
    expect(String((caught as Error).message)).not.toContain(SECRET);
    const ro = openStore({ path, secret: "not-the-secret", readonly: true });
    expect(ro.verify("actions")).toMatchObject({ ok: false, firstBadSeq: 0, recordsChecked: 1 });
    ro.close();
  });

  it("DUPLICATE_ACTION_ID, and a failed batch leaves nothing behind", () => {
    const store = openStore({ path: freshPath(), secret: SECRET });
    store.actions.record(sampleTrace(1));
    expect(() => store.actions.record(sampleTrace(1))).toThrow(
      expect.objectContaining({ code: "DUPLICATE_ACTION_ID" }),
    );
    expect(() => store.actions.appendBatch([sampleTrace(2), sampleTrace(1)])).toThrow(
      expect.objectContaining({ code: "DUPLICATE_ACTION_ID" }),
    );
    expect(store.actions.count()).toBe(1);
    expect(store.actions.append(sampleTrace(3)).seq).toBe(1);
    expect(store.verify("actions").ok).toBe(true);
    store.close();
  });

  it("STORE_LOCKED when another process holds the write lock past busyTimeoutMs", () => {
    const path = freshPath();
    openStore({ path, secret: SECRET }).close();
    const other = new Database(path);
    other.exec("BEGIN IMMEDIATE");
    const store = openStore({ path, secret: SECRET, busyTimeoutMs: 50 });
    expect(() => store.actions.record(sampleTrace(0))).toThrow(
      expect.objectContaining({ code: "STORE_LOCKED" }),
    );
    other.exec("ROLLBACK");
    other.close();
    expect(store.actions.append(sampleTrace(0)).seq).toBe(0);
    store.close();
  });

  it("STORE_READONLY / STORE_CLOSED / INVALID_ARGUMENT", () => {
    const path = freshPath();
    openStore({ path, secret: SECRET }).close();
    const ro = openStore({ path, secret: SECRET, readonly: true });
    expect(() => ro.actions.record(sampleTrace(0))).toThrow(
      expect.objectContaining({ code: "STORE_READONLY" }),
    );
    ro.close();
    expect(() => ro.actions.count()).toThrow(expect.objectContaining({ code: "STORE_CLOSED" }));
    const store = openStore({ path, secret: SECRET });
    expect(() => store.actions.record(sampleTrace(0, { invokedAt: "2026-03-01T10:00:00Z" }))).toThrow(
      expect.objectContaining({ code: "INVALID_ARGUMENT" }),
    );
    expect(() => store.spans.append(sampleSpan(0, { start_time_unix_nano: "1.5e18" }))).toThrow(
      expect.objectContaining({ code: "INVALID_ARGUMENT" }),
    );
    store.close();
    expect(() => openStore({ format: "sqlite", secret: SECRET })).toThrow(
      expect.objectContaining({ code: "INVALID_ARGUMENT" }),
    );
  });
});

describe("SQLite chains", () => {
  it("get/getBySeq/iterate/head/count/listAll", () => {
    const store = openStore({ path: freshPath(), secret: SECRET });
    const recs = store.actions.appendBatch([0, 1, 2, 3].map((i) => sampleTrace(i)));
    expect(recs.map((r) => r.seq)).toEqual([0, 1, 2, 3]);
    expect(recs[1]!.prevHash).toBe(recs[0]!.recordHash);
    expect(store.actions.head()).toEqual({ seq: 3, recordHash: recs[3]!.recordHash });
    expect(store.actions.get("act-000002")).toEqual(sampleTrace(2));
    expect(store.actions.get("nope")).toBeUndefined();
    expect(store.actions.getBySeq(1)?.payload).toEqual(sampleTrace(1));
    expect([...store.actions.iterate()].map((r) => r.recordHash)).toEqual(recs.map((r) => r.recordHash));
    expect(store.actions.listAll()).toHaveLength(4);
    store.close();
  });

  it("spans: append, query by each indexed column and time range, tree, verify with progress", () => {
    const store = openStore({ path: freshPath(), secret: SECRET });
    store.spans.appendBatch([0, 1, 2, 3, 4].map((i) => sampleSpan(i)));
    store.spans.append(sampleSpan(9, { trace_id: "b".repeat(32), parent_span_id: null }));
    expect(store.spans.query({ traceId: TRACE_A })).toHaveLength(5);
    expect(store.spans.query({ actionId: "act-000003" }).map((r) => r.payload.span_id)).toEqual([
      "0000000000000003",
    ]);
    expect(store.spans.query({ principalId: "agent-1" }).map((r) => r.seq)).toEqual([1, 5]);
    expect(store.spans.query({ name: "execute_tool cap.0", limit: 2 }).map((r) => r.seq)).toEqual([0, 2]);
    expect(store.spans.query({ spanId: "0000000000000002" })[0]?.payload).toEqual(sampleSpan(2));
    const t0 = 1772359200000000000n;
    expect(
      store.spans.query({ since: String(t0 + 1000n), until: String(t0 + 3000n) }).map((r) => r.seq),
    ).toEqual([1, 2]);
    expect(store.spans.query({ since: new Date(Number(t0 / 1_000_000n)) })).toHaveLength(6);
    const forest = store.spans.trace(TRACE_A);
    expect(forest).toHaveLength(1);
    expect(forest[0]!.children[0]!.children[0]!.record.payload.span_id).toBe("0000000000000002");
    const progress: number[] = [];
    expect(store.spans.verify({ onProgress: (c) => progress.push(c) })).toMatchObject({
      ok: true,
      recordsChecked: 6,
    });
    expect(progress.at(-1)).toBe(6);
    // Actions correlated to a trace through the spans' weft.action.id.
    store.actions.appendBatch([0, 1, 7].map((i) => sampleTrace(i)));
    expect(store.actions.queryRecords({ traceId: TRACE_A }).map((r) => r.payload.actionId)).toEqual([
      "act-000000",
      "act-000001",
    ]);
    store.close();
  });

  it("a tampered span record is detected at its seq", () => {
    const path = freshPath();
    const store = openStore({ path, secret: SECRET });
    store.spans.appendBatch([0, 1, 2].map((i) => sampleSpan(i)));
    store.close();
    const db = new Database(path);
    db.prepare("UPDATE weft_spans SET payload = replace(payload, 'agent-1', 'agent-9') WHERE seq = 1").run();
    db.close();
    const ro = openStore({ path, secret: SECRET, readonly: true });
    expect(ro.verify("spans")).toMatchObject({ ok: false, firstBadSeq: 1 });
    ro.close();
  });
});

describe("SQLite RevocationStore", () => {
  it("uses the reference tables; revocations survive a restart; expiry sweep never un-revokes a live token", () => {
    const path = freshPath("revocations.sqlite");
    const rev = new SqliteRevocationStore(path);
    rev.track("alice", "tok-live", "2099-01-01T00:00:00+00:00");
    rev.track("alice", "tok-old", "2020-01-01T00:00:00Z");
    rev.track("bob", "tok-bob", "2099-01-01T00:00:00+00:00");
    expect(rev.revokePrincipal("alice")).toBe(2);
    expect(rev.revokePrincipal("alice")).toBe(0);
    rev.revoke("tok-bob");
    rev.close();
    const again = new SqliteRevocationStore(path);
    expect(again.isRevoked("tok-live")).toBe(true);
    expect(again.isRevoked("tok-bob")).toBe(true);
    expect(again.size()).toBe(3);
    expect(again.sweepExpired(new Date("2030-01-01T00:00:00Z"))).toBe(1);
    expect(again.isRevoked("tok-live")).toBe(true);
    expect(again.isRevoked("tok-old")).toBe(false);
    again.close();
    const db = new Database(path, { readonly: true });
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")
      .pluck()
      .all();
    expect(tables).toEqual(["principal_tokens", "revoked", "token_expiry"]);
    db.close();
  });

  it("store.revocations() shares the store's file", () => {
    const path = freshPath();
    const store = openStore({ path, secret: SECRET });
    store.revocations().revoke("t1");
    store.close();
    const again = openStore({ path, secret: SECRET });
    expect(again.revocations().isRevoked("t1")).toBe(true);
    again.close();
  });
});
