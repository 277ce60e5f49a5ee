// The Merkle layer inside real SQLite stores: the stored root equals a tree rebuilt independently
// from the records, across batches, reopen, rolled-back appends, a second writer, and pruning;
// checkpoints are signed and stored; receipts and consistency proofs verify offline.

import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import {
  type ChainedStore,
  CompactRange,
  DuplicateActionIdError,
  generateNoteKey,
  leafHash,
  openStore,
  parseCheckpoint,
  parseNote,
  parseVerifierKey,
  type StoreOptions,
  verifyCheckpointNote,
  verifyConsistency,
  verifyReceipt,
} from "../src/index.js";
import { cleanupTempDirs, copyFixture, sampleSpan, sampleTrace, tempDir, VECTOR_SECRET } from "./helpers.js";

afterAll(cleanupTempDirs);
const SECRET = "transparency-test-secret";

/** The records' canonical messages straight from the file, as the reference builds them. */
function messages(path: string, chain: "actions" | "spans"): Buffer[] {
  const db = new Database(path, { readonly: true });
  const rows = db
    .prepare(
      `SELECT seq, prev_hash, payload FROM ${chain === "actions" ? "traces" : "weft_spans"} ORDER BY seq`,
    )
    .all() as Array<{ seq: number; prev_hash: string; payload: string }>;
  db.close();
  return rows.map((r) =>
    Buffer.from(`{"prev_hash":"${r.prev_hash}","seq":${r.seq},"trace":${r.payload}}`, "utf8"),
  );
}

/** Root rebuilt from the records alone: leaf = SHA-256(0x00 ‖ canonical message). */
function independentRoot(store: ChainedStore, chain: "actions" | "spans"): { size: number; root: string } {
  const r = new CompactRange();
  for (const m of messages(store.path, chain)) r.append(leafHash(m));
  return { size: r.size, root: r.root().toString("hex") };
}

function open(path: string, extra: StoreOptions = {}): ChainedStore {
  return openStore({ path, secret: SECRET, synchronous: "NORMAL", ...extra });
}

describe("Merkle tree in a SQLite store", () => {
  it("matches an independent rebuild after batches, single appends and reopen", () => {
    const path = join(tempDir(), "s.sqlite");
    let store = open(path, { checkpoint: { merkleBatchSize: 7 } });
    let n = 0;
    for (const batch of [1, 3, 255, 256, 1, 600, 2]) {
      store.actions.appendBatch(Array.from({ length: batch }, () => sampleTrace(n++)));
    }
    for (let i = 0; i < 5; i++) store.actions.append(sampleTrace(n++));
    store.spans.appendBatch(Array.from({ length: 300 }, (_, i) => sampleSpan(i)));
    const t = store.transparency!;
    t.integrate();
    expect(t.treeSize("actions")).toBe(n);
    expect(t.root("actions").toString("hex")).toBe(independentRoot(store, "actions").root);
    expect(t.root("spans").toString("hex")).toBe(independentRoot(store, "spans").root);
    store.close();
    store = open(path, { checkpoint: { merkleBatchSize: 7 } });
    for (let i = 0; i < 300; i++) store.actions.append(sampleTrace(n++));
    store.transparency!.integrate();
    expect(store.transparency!.root("actions").toString("hex")).toBe(independentRoot(store, "actions").root);
    // Old sizes stay provable from the tiles.
    const roots: string[] = [];
    const r = new CompactRange();
    for (const m of messages(path, "actions")) {
      r.append(leafHash(m));
      roots.push(r.root().toString("hex"));
    }
    for (const size of [1, 2, 255, 256, 257, 513, 1000, n]) {
      expect(store.transparency!.rootAt("actions", size).toString("hex")).toBe(roots[size - 1]);
    }
    store.close();
    // Tiles are tlog-tiles shaped: full tiles hold 256 hashes, partial ones fewer.
    const db = new Database(path, { readonly: true });
    const widths = db
      .prepare(
        "SELECT level, idx, length(hashes) / 32 AS w FROM weft_merkle_tiles WHERE chain = 'actions' ORDER BY level, idx",
      )
      .all() as Array<{ level: number; idx: number; w: number }>;
    db.close();
    expect(widths.filter((x) => x.level === 0).map((x) => x.w)).toEqual([
      ...Array(Math.floor(n / 256)).fill(256),
      n % 256,
    ]);
    expect(widths.find((x) => x.level === 1)?.w).toBe(Math.floor(n / 256));
  });

  it("keeps the tree right when an append rolls back and when another writer appends", () => {
    const path = join(tempDir(), "two.sqlite");
    const a = open(path, { checkpoint: { merkleBatchSize: 4 } });
    const b = open(path, { checkpoint: { merkleBatchSize: 3 } });
    let n = 0;
    for (let round = 0; round < 20; round++) {
      a.actions.appendBatch([sampleTrace(n++), sampleTrace(n++)]);
      b.actions.append(sampleTrace(n++));
      if (round % 5 === 0) {
        expect(() => a.actions.appendBatch([sampleTrace(n), sampleTrace(0)])).toThrow(DuplicateActionIdError);
      }
    }
    a.transparency!.integrate();
    b.transparency!.integrate();
    a.actions.append(sampleTrace(n++));
    a.transparency!.integrate();
    const want = independentRoot(a, "actions");
    expect(want.size).toBe(n);
    expect(a.transparency!.root("actions").toString("hex")).toBe(want.root);
    expect(b.transparency!.root("actions").toString("hex")).toBe(want.root);
    a.close();
    b.close();
  });
});

describe("checkpoints, receipts and consistency", () => {
  const keys = generateNoteKey("weft.test/log");
  const vkey = parseVerifierKey(keys.vkey);

  it("publishes every N records and on close, signed with the configured key", () => {
    const path = join(tempDir(), "cp.sqlite");
    const events: number[] = [];
    const store = open(path, {
      signingKey: keys.skey,
      checkpoint: { everyRecords: 100, intervalMs: 0, onCheckpoint: (e) => events.push(e.size) },
    });
    let n = 0;
    for (let i = 0; i < 25; i++)
      store.actions.appendBatch(Array.from({ length: 10 }, () => sampleTrace(n++)));
    store.actions.appendBatch([sampleTrace(n++), sampleTrace(n++)]);
    const origin = store.transparency!.origin("actions");
    expect(origin).toMatch(/^weft\/[0-9a-f]{32}\/actions$/);
    store.close();
    expect(events).toEqual([100, 200, 252]);
    const ro = openStore({ path, readonly: true, secret: SECRET });
    const cps = ro.transparency!.checkpoints("actions");
    expect(cps.map((c) => c.size)).toEqual([100, 200, 252]);
    for (const c of cps) {
      const v = verifyCheckpointNote(c.note, { logKeys: [vkey], origin });
      expect(v.checkpoint.size).toBe(c.size);
    }
    // Consistency between every pair of stored checkpoints.
    for (const c1 of cps)
      for (const c2 of cps) {
        if (c1.size > c2.size) continue;
        verifyConsistency(
          c1.size,
          c2.size,
          ro.transparency!.consistencyProof("actions", c1.size, c2.size),
          c1.root,
          c2.root,
        );
      }
    // Receipts for records, verified with only the verifier key.
    for (const seq of [0, 99, 100, 251]) {
      const r = verifyReceipt(ro.transparency!.receipt("actions", seq), { logKeys: [vkey], origin });
      expect(r.seq).toBe(seq);
      expect(JSON.parse(r.payloadText).action_id).toBe(ro.actions.getBySeq(seq)?.payload.actionId);
    }
    ro.close();
  });

  it("reads the key from WEFT_SIGNING_KEY and refuses an unreadable or malformed key without echoing it", async () => {
    const { writeFileSync } = await import("node:fs");
    const dir = tempDir();
    const file = join(dir, "log.key");
    writeFileSync(file, keys.skey, { mode: 0o600 });
    process.env.WEFT_SIGNING_KEY = file;
    try {
      const store = open(join(dir, "env.sqlite"));
      expect(store.transparency!.signer?.vkey).toBe(keys.vkey);
      store.close();
      writeFileSync(file, "PRIVATE+KEY+oops+00000000+AAAA");
      expect(() => open(join(dir, "env2.sqlite"))).toThrow(/does not hold a signing key/);
      process.env.WEFT_SIGNING_KEY = dir;
      expect(() => open(join(dir, "env3.sqlite"))).toThrow(/regular file/);
    } finally {
      delete process.env.WEFT_SIGNING_KEY;
    }
  });

  it("keeps old checkpoints provable after pruning", () => {
    const path = join(tempDir(), "prune.sqlite");
    const store = open(path, { signingKey: keys.skey, checkpoint: { everyRecords: 50, intervalMs: 0 } });
    let n = 0;
    for (let i = 0; i < 150; i++) store.actions.append(sampleTrace(n++));
    const before = store.transparency!.checkpoints("actions");
    const cutoff = store.actions.getBySeq(80)!.payload.invokedAt;
    const removed = store.actions.prune(cutoff);
    expect(removed).toBeGreaterThan(0);
    for (let i = 0; i < 30; i++) store.actions.append(sampleTrace(n++));
    store.transparency!.publish();
    const after = store.transparency!.latestCheckpoint("actions")!;
    expect(after.size).toBe(180);
    for (const c of before) {
      verifyConsistency(
        c.size,
        after.size,
        store.transparency!.consistencyProof("actions", c.size, after.size),
        c.root,
        after.root,
      );
    }
    let kept = 0;
    while (store.actions.getBySeq(kept) === undefined) kept++;
    verifyReceipt(store.transparency!.receipt("actions", kept), { logKeys: [vkey] });
    expect(() => store.transparency!.receipt("actions", 0)).toThrow(/pruned/);
    store.close();
  });

  it("a reference-pruned store has no tree for that chain but still appends", () => {
    const path = copyFixture("chain-pruned.sqlite");
    const store = openStore({
      path,
      secret: VECTOR_SECRET,
      signingKey: keys.skey,
      checkpoint: { intervalMs: 0 },
    });
    expect(store.transparency!.unavailable("actions")).toMatch(/pruned/);
    store.actions.append(sampleTrace(99_999));
    expect(store.verify("actions").ok).toBe(true);
    expect(() => store.transparency!.receipt("actions", store.actions.head()!.seq)).toThrow(/checkpoint/);
    store.close();
  });

  it("the stored checkpoint body names the size and root of the tree", () => {
    const path = join(tempDir(), "body.sqlite");
    const store = open(path, { signingKey: keys.skey, checkpoint: { intervalMs: 0 } });
    for (let i = 0; i < 10; i++) store.actions.append(sampleTrace(i));
    const [cp] = store.transparency!.publish("actions");
    const body = parseCheckpoint(parseNote(cp!.note).text);
    expect(body.size).toBe(10);
    expect(body.root.toString("hex")).toBe(independentRoot(store, "actions").root);
    store.close();
  });
});
