// Attacks the HMAC chain alone cannot see, caught by the tree and its signed checkpoints:
// truncating the newest records, rewriting a record and re-HMACing the whole chain with the
// right secret, replacing a stored checkpoint. Each attack edits a real SQLite file directly.

import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import {
  canonicalize,
  computeRecordHash,
  formatCheckpoint,
  generateNoteKey,
  openStore,
  parseJsonLossless,
  parseSignerKey,
  parseVerifierKey,
  signNote,
} from "../src/index.js";
import { cleanupTempDirs, sampleTrace, tempDir } from "./helpers.js";

afterAll(cleanupTempDirs);
const SECRET = "attack-test-secret";
const keys = generateNoteKey("weft.test/log");
const vkey = parseVerifierKey(keys.vkey);

function build(n: number): { path: string; external: string } {
  const path = join(tempDir(), "victim.sqlite");
  const store = openStore({
    path,
    secret: SECRET,
    signingKey: keys.skey,
    checkpoint: { everyRecords: 40, intervalMs: 0 },
  });
  for (let i = 0; i < n; i++) store.actions.append(sampleTrace(i));
  store.close();
  const ro = openStore({ path, secret: SECRET, readonly: true });
  const external = ro.transparency!.latestCheckpoint("actions")!.note;
  ro.close();
  return { path, external };
}

function verifyBoth(path: string, options: { against?: string } = {}) {
  const store = openStore({ path, secret: SECRET, readonly: true });
  try {
    const chain = store.verify("actions");
    const tree = store.transparency!.verify("actions", {
      keys: [vkey],
      ...(options.against ? { against: { note: options.against, keys: [vkey] } } : {}),
    });
    return { chain, tree };
  } finally {
    store.close();
  }
}

describe("attacks on a checkpointed store", () => {
  it("an untouched store verifies, also against its exported checkpoint", () => {
    const { path, external } = build(100);
    const { chain, tree } = verifyBoth(path, { against: external });
    expect(chain.ok).toBe(true);
    expect(tree.ok).toBe(true);
    expect(tree.checkpointsChecked).toBe(3);
    expect(tree.treeSize).toBe(100);
  });

  it("truncating the last records: the chain still verifies, the tree does not", () => {
    const { path, external } = build(100);
    const db = new Database(path);
    db.prepare("DELETE FROM traces WHERE seq >= 95").run();
    db.prepare("DELETE FROM weft_checkpoints WHERE size > 80").run();
    // A careful attacker also rolls the tree state back to the last checkpoint they kept.
    db.prepare(
      "UPDATE weft_tree_state SET size = 80, root = (SELECT root FROM weft_checkpoints WHERE size = 80)",
    ).run();
    db.close();
    const { chain, tree } = verifyBoth(path);
    expect(chain.ok).toBe(true); // the HMAC chain cannot see a missing tail
    // Nor can the store alone once its own checkpoints are gone too: this is why checkpoints
    // must leave the host (SIEM, witness, a file elsewhere). docs/integrity.md says so.
    expect(tree.ok).toBe(true);
    const withExternal = verifyBoth(path, { against: external });
    expect(withExternal.tree.ok).toBe(false);
    expect(withExternal.tree.problems.join("\n")).toMatch(/truncation/);
  });

  it("rewriting a record and re-HMACing the whole chain with the secret", () => {
    const { path, external } = build(100);
    const db = new Database(path);
    const rows = db.prepare("SELECT seq, prev_hash, payload FROM traces ORDER BY seq").all() as Array<{
      seq: number;
      prev_hash: string;
      payload: string;
    }>;
    let prev = rows[0]!.prev_hash;
    const update = db.prepare("UPDATE traces SET prev_hash = ?, record_hash = ?, payload = ? WHERE seq = ?");
    db.transaction(() => {
      for (const r of rows) {
        const payload = parseJsonLossless(r.payload) as Record<string, unknown>;
        if (r.seq === 30) payload["principal_id"] = "someone-else";
        const hash = computeRecordHash(SECRET, r.seq, prev, payload);
        update.run(prev, hash, canonicalize(payload), r.seq);
        prev = hash;
      }
    })();
    db.close();
    const { chain, tree } = verifyBoth(path, { against: external });
    expect(chain.ok).toBe(true); // a secret holder rewrites the chain consistently
    expect(tree.ok).toBe(false);
    expect(tree.problems[0]).toMatch(/checkpoint 40 .*root does not match/);
  });

  it("replacing a stored checkpoint by one signed with another key, or with a forged root", () => {
    const { path } = build(100);
    const db = new Database(path);
    const other = parseSignerKey(generateNoteKey("weft.test/log").skey);
    const row = db.prepare("SELECT note FROM weft_checkpoints WHERE size = 80").pluck().get() as string;
    const origin = row.split("\n")[0]!;
    const forged = signNote(formatCheckpoint({ origin, size: 80, root: Buffer.alloc(32, 1) }), other);
    db.prepare("UPDATE weft_checkpoints SET note = ?, root = ? WHERE size = 80").run(
      forged,
      Buffer.alloc(32, 1),
    );
    db.close();
    const { tree } = verifyBoth(path);
    expect(tree.ok).toBe(false);
    expect(tree.problems.join("\n")).toMatch(/checkpoint 80: no trusted key/);
    expect(tree.problems.join("\n")).toMatch(/checkpoint 80 .*root does not match/);
  });
});
