// Hostile SQLite stores, built for real by editing the file behind the store's back with a second
// connection, as an attacker with write access to the file (but not the secret) would.
// Rule 1: an indexed column edited alone (the hash covers only the payload) must fail verify at
// that seq, and no filtered read may return a row its payload does not match.
// Rule 2: the start of a pruned chain is authenticated; moving it without the secret fails.
// Rule 10: hostile schemas, NULL cells and seqs beyond 2^53 are typed errors naming the seq.

import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { type ChainedStore, openStore, StoreCorruptError } from "../../src/index.js";
import { cleanupTempDirs, sampleSpan, sampleTrace, tempDir } from "../helpers.js";

const SECRET = "hostile-secret";

afterAll(cleanupTempDirs);

function seeded(n = 8): string {
  const path = join(tempDir(), "store.db");
  const s = openStore({ path, secret: SECRET });
  for (let i = 0; i < n; i++) s.actions.record(sampleTrace(i));
  s.spans.appendBatch(Array.from({ length: n }, (_, i) => sampleSpan(i)));
  s.close();
  return path;
}

function edit(path: string, sql: string, ...params: unknown[]): void {
  const db = new Database(path);
  try {
    db.prepare(sql).run(...params);
  } finally {
    db.close();
  }
}

function ro(path: string): ChainedStore {
  return openStore({ path, secret: SECRET, readonly: true });
}

function verifyBoth(path: string) {
  const s = ro(path);
  try {
    return { actions: s.verify("actions"), spans: s.verify("spans") };
  } finally {
    s.close();
  }
}

describe("rule 1: indexed columns are checked against the payload", () => {
  it("an untouched store verifies both chains", () => {
    const r = verifyBoth(seeded());
    expect(r.actions).toMatchObject({ ok: true, recordsChecked: 8 });
    expect(r.spans).toMatchObject({ ok: true, recordsChecked: 8 });
  });

  const actionEdits: Array<[string, string, unknown[]]> = [
    [
      "invoked_at moved out of a --since window",
      "UPDATE traces SET invoked_at = ? WHERE seq = 3",
      ["1999-01-01T00:00:00+00:00"],
    ],
    ["action_id renamed", "UPDATE traces SET action_id = ? WHERE seq = 3", ["act-hidden"]],
    ["invoked_at stored as a number", "UPDATE traces SET invoked_at = 1 WHERE seq = 3", []],
  ];
  for (const [what, sql, params] of actionEdits) {
    it(`actions: ${what} fails verify at that seq`, () => {
      const path = seeded();
      edit(path, sql, ...params);
      const r = verifyBoth(path);
      expect(r.actions).toMatchObject({ ok: false, firstBadSeq: 3 });
      expect(r.actions.detail).toMatch(/index at seq 3/);
      expect(r.spans.ok).toBe(true);
    });
  }

  const spanEdits: Array<[string, string, unknown[]]> = [
    ["trace_id moved to another trace", "UPDATE weft_spans SET trace_id = ? WHERE seq = 5", ["b".repeat(32)]],
    ["span_id changed", "UPDATE weft_spans SET span_id = ? WHERE seq = 5", ["ffffffffffffffff"]],
    ["parent cleared", "UPDATE weft_spans SET parent_span_id = NULL WHERE seq = 5", []],
    ["name changed", "UPDATE weft_spans SET name = 'other' WHERE seq = 5", []],
    [
      "start time shifted",
      "UPDATE weft_spans SET start_time_unix_nano = start_time_unix_nano + 1 WHERE seq = 5",
      [],
    ],
    [
      "start time stored as a float",
      "UPDATE weft_spans SET start_time_unix_nano = start_time_unix_nano * 1.0 WHERE seq = 5",
      [],
    ],
    ["action id cleared", "UPDATE weft_spans SET action_id = NULL WHERE seq = 5", []],
    ["principal changed", "UPDATE weft_spans SET principal_id = 'agent-9' WHERE seq = 5", []],
  ];
  for (const [what, sql, params] of spanEdits) {
    it(`spans: ${what} fails verify at that seq`, () => {
      const path = seeded();
      edit(path, sql, ...params);
      const r = verifyBoth(path);
      expect(r.spans).toMatchObject({ ok: false, firstBadSeq: 5 });
      expect(r.spans.detail).toMatch(/index at seq 5/);
    });
  }

  it("a filtered read never returns a row whose payload does not match the filter", () => {
    const path = seeded();
    // Row 3 really is agent-3 at 10:00:03; pretend in the column it is in a later window.
    edit(path, "UPDATE traces SET invoked_at = ? WHERE seq = 3", ["2026-03-01T11:00:00+00:00"]);
    const s = ro(path);
    try {
      expect(() => s.actions.query({ since: "2026-03-01T10:30:00+00:00" })).toThrow(StoreCorruptError);
    } finally {
      s.close();
    }
  });

  it("a lookup by action id never returns another record", () => {
    const path = seeded();
    edit(path, "UPDATE traces SET action_id = 'act-999999' WHERE seq = 2");
    const s = ro(path);
    try {
      expect(() => s.actions.get("act-999999")).toThrow(StoreCorruptError);
    } finally {
      s.close();
    }
  });

  it("span queries by a tampered column are refused, not answered", () => {
    const path = seeded();
    edit(path, "UPDATE weft_spans SET principal_id = 'agent-9' WHERE seq = 5");
    const s = ro(path);
    try {
      expect(() => s.spans.query({ principalId: "agent-9" })).toThrow(StoreCorruptError);
    } finally {
      s.close();
    }
  });
});

describe("rule 2: the start of the chain is authenticated", () => {
  function pruned(): string {
    const path = seeded(10);
    const s = openStore({ path, secret: SECRET });
    expect(s.actions.prune("2026-03-01T10:00:04+00:00")).toBe(4);
    s.close();
    return path;
  }

  it("a store pruned by Weft verifies from its signed checkpoint, with no warning", () => {
    const r = verifyBoth(pruned()).actions;
    expect(r).toEqual({ ok: true, recordsChecked: 6, firstBadSeq: null, detail: "Verified 6 record(s)." });
  });

  function headCut(path: string, keep: number): void {
    // What an attacker without the secret can do: drop the oldest rows, point meta at the cut.
    const db = new Database(path);
    try {
      const first = db.prepare("SELECT prev_hash FROM traces WHERE seq = ?").pluck().get(keep) as string;
      db.prepare("DELETE FROM traces WHERE seq < ?").run(keep);
      const put = db.prepare(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
      );
      put.run("checkpoint_hash", first);
      put.run("checkpoint_next_seq", String(keep));
    } finally {
      db.close();
    }
  }

  it("deleting the oldest records of a never-pruned store and rewriting meta fails at the new first seq", () => {
    const path = seeded(10);
    headCut(path, 3);
    const r = verifyBoth(path).actions;
    expect(r).toMatchObject({ ok: false, firstBadSeq: 3 });
    expect(r.detail).toMatch(/start/);
  });

  it("cutting further into a pruned store fails at the new first seq", () => {
    const path = pruned();
    headCut(path, 7);
    expect(verifyBoth(path).actions).toMatchObject({ ok: false, firstBadSeq: 7 });
  });

  it("also deleting the MAC does not help: Weft wrote this store, so an unsigned start is tampering", () => {
    const path = pruned();
    headCut(path, 7);
    edit(path, "DELETE FROM meta WHERE key LIKE 'weft.%checkpoint_mac%'");
    expect(verifyBoth(path).actions).toMatchObject({ ok: false, firstBadSeq: 7 });
  });

  it("deleting every record after a head cut fails at the checkpoint's seq", () => {
    const path = seeded(5);
    headCut(path, 5 - 1);
    edit(path, "DELETE FROM traces");
    expect(verifyBoth(path).actions).toMatchObject({ ok: false, firstBadSeq: 4 });
  });

  it("dropping the oldest rows without touching meta fails at the first row left", () => {
    const path = seeded(6);
    edit(path, "DELETE FROM traces WHERE seq < 2");
    expect(verifyBoth(path).actions).toMatchObject({ ok: false, firstBadSeq: 2 });
  });

  it("a checkpoint next seq that is not a seq is reported, not parsed loosely", () => {
    const path = pruned();
    edit(path, "UPDATE meta SET value = '4abc' WHERE key = 'checkpoint_next_seq'");
    expect(verifyBoth(path).actions).toMatchObject({ ok: false, firstBadSeq: 4 });
  });

  it("the wrong secret still reports the reference's detail at the first record", () => {
    const path = pruned();
    const s = openStore({ path, secret: "not-the-secret", readonly: true });
    try {
      expect(s.verify("actions")).toMatchObject({ ok: false, firstBadSeq: 4, recordsChecked: 1 });
      expect(s.verify("actions").detail).toMatch(/^Tampered record at seq 4/);
    } finally {
      s.close();
    }
  });
});

describe("rule 10: hostile schemas and cells are typed errors with the exact seq", () => {
  /** A file with the reference's table names but loose column types and no constraints. */
  function looseStore(rows: Array<[unknown, unknown, unknown, unknown, unknown, unknown]>): string {
    const path = join(tempDir(), "loose.db");
    const db = new Database(path);
    try {
      db.exec(
        "CREATE TABLE traces (seq, action_id, prev_hash, record_hash, invoked_at, payload); CREATE TABLE meta (key, value)",
      );
      const ins = db.prepare("INSERT INTO traces VALUES (?, ?, ?, ?, ?, ?)");
      for (const r of rows) ins.run(...r);
    } finally {
      db.close();
    }
    return path;
  }

  it("a NULL payload is STORE_CORRUPT naming its seq", () => {
    const path = looseStore([[0n, "a", "0".repeat(64), "0".repeat(64), "2026-01-01T00:00:00+00:00", null]]);
    const s = ro(path);
    try {
      let caught: unknown;
      try {
        s.verify("actions");
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(StoreCorruptError);
      expect(caught).toMatchObject({ code: "STORE_CORRUPT", seq: 0 });
      expect(String((caught as Error).message)).toMatch(/column payload is NULL/);
    } finally {
      s.close();
    }
  });

  it("a seq beyond 2^53 is STORE_CORRUPT with the exact seq, not a rounded one", () => {
    const path = looseStore([
      [9007199254740993n, "a", "0".repeat(64), "0".repeat(64), "2026-01-01T00:00:00+00:00", "{}"],
    ]);
    const s = ro(path);
    try {
      expect(() => s.verify("actions")).toThrow(/seq 9007199254740993\b/);
      expect(() => [...s.actions.iterate()]).toThrow(StoreCorruptError);
    } finally {
      s.close();
    }
  });

  it("a float seq is STORE_CORRUPT naming it", () => {
    const path = looseStore([[2.5, "a", "0".repeat(64), "0".repeat(64), "2026-01-01T00:00:00+00:00", "{}"]]);
    const s = ro(path);
    try {
      expect(() => s.verify("actions")).toThrow(/float seq/);
    } finally {
      s.close();
    }
  });

  it("a text seq is STORE_CORRUPT", () => {
    const path = looseStore([
      ["zero", "a", "0".repeat(64), "0".repeat(64), "2026-01-01T00:00:00+00:00", "{}"],
    ]);
    const s = ro(path);
    try {
      expect(() => s.verify("actions")).toThrow(StoreCorruptError);
    } finally {
      s.close();
    }
  });

  it("a trigger or a view in the file makes it NOT_A_STORE, read-only or not", () => {
    for (const ddl of [
      "CREATE TRIGGER t AFTER INSERT ON traces BEGIN UPDATE traces SET payload = '{}' WHERE seq = new.seq; END",
      "CREATE VIEW v AS SELECT * FROM traces",
    ]) {
      const path = seeded(2);
      const db = new Database(path);
      db.exec(ddl);
      db.close();
      expect(() => ro(path)).toThrow(expect.objectContaining({ code: "NOT_A_STORE" }));
      expect(() => openStore({ path, secret: SECRET })).toThrow(
        expect.objectContaining({ code: "NOT_A_STORE" }),
      );
    }
  });

  it("a weft_spans table without the span columns is NOT_A_STORE", () => {
    const path = join(tempDir(), "odd.db");
    const db = new Database(path);
    db.exec(
      "CREATE TABLE traces (seq INTEGER PRIMARY KEY, action_id TEXT, prev_hash TEXT, record_hash TEXT, invoked_at TEXT, payload TEXT); CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT); CREATE TABLE weft_spans (seq INTEGER)",
    );
    db.close();
    expect(() => ro(path)).toThrow(expect.objectContaining({ code: "NOT_A_STORE" }));
  });
});

describe("reads are bounded", () => {
  it("a payload cell larger than any record is STORE_CORRUPT at its seq, never loaded", () => {
    const path = seeded(3);
    edit(path, "UPDATE traces SET payload = payload || zeroblob(17 * 1024 * 1024) WHERE seq = 1");
    const s = ro(path);
    try {
      expect(() => s.verify("actions")).toThrow(/seq 1: payload is larger than/);
      expect(() => s.actions.getBySeq(1)).toThrow(StoreCorruptError);
    } finally {
      s.close();
    }
  });

  it("an append of a record larger than the bound is refused before the backend, and the store reopens", () => {
    for (const name of ["big.db", "big.jsonl"]) {
      const path = join(tempDir(), name);
      const s = openStore({ path, secret: SECRET });
      try {
        expect(() =>
          s.actions.record(sampleTrace(0, { args: { blob: "x".repeat(17 * 1024 * 1024) } })),
        ).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
        s.actions.record(sampleTrace(1));
      } finally {
        s.close();
      }
      const again = ro(path);
      try {
        expect(again.verify("actions")).toMatchObject({ ok: true, recordsChecked: 1 });
      } finally {
        again.close();
      }
    }
  });
});
