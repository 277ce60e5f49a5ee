// Golden vectors from the weaver-kernel reference (test/fixtures/weaver-kernel): every verify
// case on JSONL and SQLite, the pruned store, and the TraceQuery vectors on every backend.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { TraceQuery } from "@weft/kernel";
import { json } from "@weft/wire";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { openStore, type VerifyResult } from "../src/index.js";
import { cleanupTempDirs, copyFixture, fixture, tempDir, VECTOR_SECRET } from "./helpers.js";

const parseJsonLossless = json.parse;

interface Case {
  file: string;
  secret?: string;
  expected: { ok: boolean; records_checked: number; first_bad_seq: number | null; detail: string };
}
const cases = JSON.parse(readFileSync(fixture("verify-cases.json"), "utf8")) as Record<
  string,
  Case & Record<string, unknown>
>;

function snake(v: VerifyResult) {
  return { ok: v.ok, records_checked: v.recordsChecked, first_bad_seq: v.firstBadSeq, detail: v.detail };
}

const LINE = /^\{"seq": \d+, "prev_hash": "[^"]*", "record_hash": "[^"]*", "trace": ([\s\S]*)\}$/;

/** Loads a reference JSONL file, row by row and untouched, into the reference SQLite layout. */
function jsonlToSqlite(jsonl: string): string {
  const path = join(tempDir(), "from-jsonl.sqlite");
  const db = new Database(path);
  db.exec(
    "CREATE TABLE traces (seq INTEGER PRIMARY KEY, action_id TEXT UNIQUE NOT NULL, prev_hash TEXT NOT NULL, " +
      "record_hash TEXT NOT NULL, invoked_at TEXT NOT NULL, payload TEXT NOT NULL); " +
      "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);",
  );
  const insert = db.prepare("INSERT INTO traces VALUES (?, ?, ?, ?, ?, ?)");
  for (const line of readFileSync(jsonl, "utf8").split("\n")) {
    if (line.trim() === "") continue;
    const env = JSON.parse(line) as {
      seq: number;
      prev_hash: string;
      record_hash: string;
      trace: Record<string, string>;
    };
    const text = LINE.exec(line)?.[1] ?? json.dumps((parseJsonLossless(line) as { trace: unknown }).trace);
    insert.run(
      env.seq,
      env.trace["action_id"],
      env.prev_hash,
      env.record_hash,
      env.trace["invoked_at"],
      text,
    );
  }
  db.close();
  return path;
}

afterAll(cleanupTempDirs);

describe("verify-cases.json", () => {
  const jsonlCases = Object.entries(cases).filter(([, c]) => c.file.endsWith(".jsonl"));
  const sqliteCases = Object.entries(cases).filter(([, c]) => c.file.endsWith(".sqlite"));

  it.each(jsonlCases)("JSONL %s", (_name, c) => {
    const store = openStore({ path: copyFixture(c.file), secret: c.secret ?? VECTOR_SECRET, readonly: true });
    expect(store.format).toBe("jsonl");
    expect(snake(store.verify("actions"))).toEqual(c.expected);
    store.close();
  });

  it.each(jsonlCases)("SQLite (same rows loaded into the reference layout) %s", (_name, c) => {
    const store = openStore({
      path: jsonlToSqlite(fixture(c.file)),
      secret: c.secret ?? VECTOR_SECRET,
      readonly: true,
    });
    expect(snake(store.actions.verify())).toEqual(c.expected);
    store.close();
  });

  it.each(sqliteCases)("SQLite file written by the reference: %s", (_name, c) => {
    const store = openStore({ path: copyFixture(c.file), secret: c.secret ?? VECTOR_SECRET, readonly: true });
    expect(store.format).toBe("sqlite");
    expect(snake(store.verify("actions"))).toEqual(c.expected);
    store.close();
  });

  it("a reference SQLite file opened writable (WAL, Weft indexes added) still verifies", () => {
    const store = openStore({ path: copyFixture("chain.sqlite"), secret: VECTOR_SECRET });
    expect(snake(store.verify("actions"))).toEqual(cases["sqlite_untampered"]!.expected);
    store.close();
  });
});

describe("prune and checkpoint (chain-pruned.sqlite)", () => {
  const pruned = cases["sqlite_pruned"] as unknown as {
    meta_after_prune: { checkpoint_hash: string; checkpoint_next_seq: string };
    expected_after_prune: Case["expected"];
    expected: Case["expected"];
    remaining_seqs: number[];
  };

  it("verifies from the checkpoint and holds exactly the remaining seqs", () => {
    const store = openStore({
      path: copyFixture("chain-pruned.sqlite"),
      secret: VECTOR_SECRET,
      readonly: true,
    });
    expect(snake(store.verify("actions"))).toEqual(pruned.expected);
    expect([...store.actions.iterate()].map((r) => r.seq)).toEqual(pruned.remaining_seqs);
    store.close();
  });

  it("before the reference's append: verifies 8, and Weft's append reproduces the reference's seq 12 byte for byte", () => {
    const path = copyFixture("chain-pruned.sqlite");
    const db = new Database(path);
    const row12 = db.prepare("SELECT * FROM traces WHERE seq = 12").get() as {
      record_hash: string;
      payload: string;
    };
    db.prepare("DELETE FROM traces WHERE seq = 12").run();
    db.close();
    const store = openStore({ path, secret: VECTOR_SECRET });
    expect(snake(store.verify("actions"))).toEqual(pruned.expected_after_prune);
    const reference = store.actions.getBySeq(11);
    expect(reference).toBeDefined();
    // Re-record the reference's seq-12 trace: same seq, same link, same hash.
    const trace12 = JSON.parse(row12.payload) as { action_id: string };
    const decoded = openStore({
      path: copyFixture("chain-pruned.sqlite"),
      secret: VECTOR_SECRET,
      readonly: true,
    });
    const original = decoded.actions.get(trace12.action_id)!;
    decoded.close();
    const rec = store.actions.append(original);
    expect(rec.seq).toBe(12);
    expect(rec.recordHash).toBe(row12.record_hash);
    expect(snake(store.verify("actions"))).toEqual(pruned.expected);
    store.close();
  });

  it("Weft's prune of chain.sqlite gives the reference's checkpoint, verifies, and appends continue at the next seq", () => {
    const path = copyFixture("chain.sqlite");
    const store = openStore({ path, secret: VECTOR_SECRET });
    expect(store.actions.prune("2026-03-01T12:04:00+00:00")).toBe(4);
    expect(store.actions.prune(new Date("2026-03-01T12:04:00Z"))).toBe(0);
    store.close();
    const db = new Database(path, { readonly: true });
    const meta = Object.fromEntries(
      (
        db.prepare("SELECT key, value FROM meta WHERE key LIKE 'checkpoint%'").all() as Array<{
          key: string;
          value: string;
        }>
      ).map((r) => [r.key, r.value]),
    );
    db.close();
    expect(meta).toEqual(pruned.meta_after_prune);
    const again = openStore({ path, secret: VECTOR_SECRET });
    expect(snake(again.verify("actions"))).toEqual(pruned.expected_after_prune);
    const rec = again.actions.append({ ...again.actions.get("act-0005")!, actionId: "act-new" });
    expect(rec.seq).toBe(12);
    expect(again.verify("actions")).toMatchObject({ ok: true, recordsChecked: 9 });
    again.close();
  });

  it("JSONL stores refuse prune with a typed error (the reference never prunes JSONL)", () => {
    const store = openStore({ path: copyFixture("chain.jsonl"), secret: VECTOR_SECRET });
    expect(() => store.actions.prune("2026-03-01T12:04:00+00:00")).toThrow(
      expect.objectContaining({ code: "STORE_UNSUPPORTED" }),
    );
    store.close();
  });
});

describe("query-vectors.json (TraceQuery semantics)", () => {
  const vectors = JSON.parse(readFileSync(fixture("query-vectors.json"), "utf8")) as Array<{
    query: Record<string, string | number>;
    expected_action_ids: string[];
  }>;
  const toQuery = (q: Record<string, string | number>): TraceQuery => {
    const out: Record<string, string | number> = {};
    for (const [k, v] of Object.entries(q))
      out[k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())] = v;
    return out as TraceQuery;
  };

  function memoryStoreWithVectors() {
    const src = openStore({ path: fixture("chain.jsonl"), secret: VECTOR_SECRET, readonly: true });
    const mem = openStore({ format: "memory", secret: VECTOR_SECRET });
    mem.actions.appendBatch(src.actions.listAll());
    src.close();
    return mem;
  }

  for (const [label, open] of [
    ["JSONL", () => openStore({ path: copyFixture("chain.jsonl"), secret: VECTOR_SECRET, readonly: true })],
    ["SQLite", () => openStore({ path: copyFixture("chain.sqlite"), secret: VECTOR_SECRET })],
    ["memory", memoryStoreWithVectors],
  ] as const) {
    it.each(vectors.map((v) => [JSON.stringify(v.query), v] as const))(`${label} %s`, (_q, v) => {
      const store = open();
      expect(store.actions.query(toQuery(v.query)).map((t) => t.actionId)).toEqual(v.expected_action_ids);
      store.close();
    });
  }

  it("pages are disjoint and complete", () => {
    const store = openStore({ path: copyFixture("chain.sqlite"), secret: VECTOR_SECRET });
    const all = store.actions.query({}).map((t) => t.actionId);
    const pages: string[] = [];
    for (let offset = 0; offset < all.length; offset += 5) {
      pages.push(...store.actions.query({ limit: 5, offset }).map((t) => t.actionId));
    }
    expect(pages).toEqual(all);
    expect(() => store.actions.query({ limit: -1 })).toThrow(
      expect.objectContaining({ code: "INVALID_ARGUMENT" }),
    );
    expect(() => store.actions.query({ since: "yesterday" })).toThrow(
      expect.objectContaining({ code: "INVALID_ARGUMENT" }),
    );
    store.close();
  });

  it("decoded traces keep Python floats, so they re-export and re-hash identically", () => {
    const store = openStore({ path: copyFixture("chain.sqlite"), secret: VECTOR_SECRET });
    const t = store.actions.get("act-0002")!;
    expect((t.args as Record<string, unknown>)["ratio"]).toEqual(new json.LosslessNumber("2.0"));
    store.close();
  });
});
