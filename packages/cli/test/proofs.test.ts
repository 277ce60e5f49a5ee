// The proof commands through the built `weft` binary on real stores: keys generate (0600, prints
// the vkey), audit checkpoint, audit prove, receipt verify (offline: no store, no secret), and
// audit verify catching truncation and a secret holder's rewrite against an external checkpoint.
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { canonicalize, computeRecordHash, openStore, parseJsonLossless } from "@weft/chained-store";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, SECRET, tempDir, weft } from "./helpers.js";

beforeAll(ensureBuilt, 300_000);

function trace(i: number) {
  return {
    actionId: `act-${i}`,
    capabilityId: "crm.read",
    principalId: `agent-${i % 3}`,
    tokenId: `tok-${i}`,
    invokedAt: `2026-03-01T10:00:${String(i % 60).padStart(2, "0")}+00:00`,
    args: { id: i },
    responseMode: "summary" as const,
    driverId: "memory",
    handleId: null,
    error: null,
    resultSummary: null,
    sensitivity: "NONE" as const,
    eventType: "invoke" as const,
    reasonCode: null,
  };
}

function setup(n: number) {
  const dir = tempDir();
  const keyFile = join(dir, "log.key");
  const gen = weft(["keys", "generate", "--name", "example.test/audit", "--out", keyFile]);
  expect(gen.code).toBe(0);
  const vkey = gen.stdout.trim();
  const store = join(dir, "audit.db");
  const s = openStore({
    path: store,
    secret: SECRET,
    signingKey: keyFile,
    checkpoint: { everyRecords: 25, intervalMs: 0 },
  });
  for (let i = 0; i < n; i++) s.actions.append(trace(i) as never);
  s.close();
  return { dir, keyFile, vkey, store };
}

describe("weft keys generate", () => {
  it("writes a 0600 private key, prints the verifier key, never overwrites", () => {
    const { keyFile, vkey } = setup(0);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(keyFile, "utf8")).toMatch(/^PRIVATE\+KEY\+example\.test\/audit\+[0-9a-f]{8}\+/);
    expect(vkey).toMatch(/^example\.test\/audit\+[0-9a-f]{8}\+/);
    expect(readFileSync(keyFile, "utf8")).not.toContain(vkey.split("+")[2]);
    const again = weft(["keys", "generate", "--name", "x", "--out", keyFile]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/refusing to overwrite/);
    expect(weft(["keys", "generate", "--name", "a b", "--out", "/tmp/never"]).code).toBe(2);
  });
});

describe("checkpoint, prove, receipt verify", () => {
  it("round-trips a receipt that verifies offline and fails when edited", () => {
    const { dir, vkey, store } = setup(60);
    const cp = weft(["audit", "checkpoint", "--store", store], { WEFT_SECRET: SECRET });
    expect(cp.code).toBe(0);
    expect(cp.stdout.split("\n")[1]).toBe("60");
    const receipt = join(dir, "r.tlog-proof");
    const prove = weft(["audit", "prove", "--store", store, "--action-id", "act-17", "--out", receipt], {
      WEFT_SECRET: SECRET,
    });
    expect(prove.code, prove.stderr).toBe(0);
    expect(readFileSync(receipt, "utf8")).toMatch(/^c2sp\.org\/tlog-proof@v1\nextra /);
    const ok = weft(["receipt", "verify", receipt, "--key", vkey, "--json"], {});
    expect(ok.code, ok.stderr).toBe(0);
    const j = JSON.parse(ok.stdout);
    expect(j.seq).toBe(17);
    expect(j.record.action_id).toBe("act-17");
    const bad = readFileSync(receipt, "utf8").replace(/^index 17$/m, "index 18");
    writeFileSync(join(dir, "bad.tlog-proof"), bad);
    const no = weft(["receipt", "verify", join(dir, "bad.tlog-proof"), "--key", vkey]);
    expect(no.code).toBe(1);
    expect(no.stdout).toMatch(/^INVALID: /);
    // Another key: refused.
    const other = weft([
      "keys",
      "generate",
      "--name",
      "example.test/audit",
      "--out",
      join(dir, "other.key"),
    ]).stdout.trim();
    expect(weft(["receipt", "verify", receipt, "--key", other]).code).toBe(1);
    // A private key passed as --key is a usage error, and never echoed.
    const priv = weft(["receipt", "verify", receipt, "--key", join(dir, "log.key")]);
    expect(priv.code).toBe(2);
    expect(priv.stderr).not.toContain("PRIVATE+KEY+");
  });

  it("audit verify --against catches truncation and a full re-HMAC rewrite", () => {
    const { dir, vkey, store } = setup(60);
    const kept = join(dir, "kept-checkpoint.txt");
    expect(weft(["audit", "checkpoint", "--store", store, "--out", kept], { WEFT_SECRET: SECRET }).code).toBe(
      0,
    );
    const fine = weft(["audit", "verify", "--store", store, "--key", vkey, "--against", kept], {
      WEFT_SECRET: SECRET,
    });
    expect(fine.code, fine.stdout + fine.stderr).toBe(0);
    expect(fine.stdout).toMatch(
      /OK: \[tree\] Tree of 60 record\(s\) matches 3 checkpoint\(s\) and the external checkpoint/,
    );

    // Rewrite record 10 and re-HMAC everything after it with the right secret.
    const db = new DatabaseSync(store);
    const rows = db
      .prepare("SELECT seq, prev_hash, payload FROM traces ORDER BY seq")
      .all() as unknown as Array<{ seq: number; prev_hash: string; payload: string }>;
    let prev = rows[0]!.prev_hash;
    db.exec("BEGIN");
    for (const r of rows) {
      const payload = parseJsonLossless(r.payload) as Record<string, unknown>;
      if (r.seq === 10) payload["capability_id"] = "crm.delete";
      const h = computeRecordHash(SECRET, r.seq, prev, payload);
      db.prepare("UPDATE traces SET prev_hash = ?, record_hash = ?, payload = ? WHERE seq = ?").run(
        prev,
        h,
        canonicalize(payload),
        r.seq,
      );
      prev = h;
    }
    // and drop the store's own checkpoints and tree, as a thorough attacker would
    db.prepare("DELETE FROM weft_checkpoints").run();
    db.prepare("DELETE FROM weft_tree_state").run();
    db.prepare("DELETE FROM weft_merkle_tiles").run();
    db.exec("COMMIT");
    db.close();
    const chainOnly = weft(["audit", "verify", "--store", store], { WEFT_SECRET: SECRET });
    expect(chainOnly.stdout).toMatch(/^OK: Verified 60 record/); // the HMAC chain is fooled
    const caught = weft(["audit", "verify", "--store", store, "--key", vkey, "--against", kept], {
      WEFT_SECRET: SECRET,
    });
    expect(caught.code).toBe(1);
    expect(caught.stdout).toMatch(
      /TAMPER DETECTED: \[tree\] the external checkpoint \(size 60\): root does not match/,
    );

    // Truncation of a copy with intact history: the external checkpoint covers more than is left.
    const { store: store2, vkey: vkey2, dir: dir2 } = setup(60);
    const kept2 = join(dir2, "kept.txt");
    weft(["audit", "checkpoint", "--store", store2, "--out", kept2], { WEFT_SECRET: SECRET });
    const db2 = new DatabaseSync(store2);
    db2.prepare("DELETE FROM traces WHERE seq >= 55").run();
    db2.close();
    const trunc = weft(["audit", "verify", "--store", store2, "--key", vkey2, "--against", kept2, "--json"], {
      WEFT_SECRET: SECRET,
    });
    expect(trunc.code).toBe(1);
    const tj = JSON.parse(trunc.stdout);
    expect(tj.ok).toBe(false);
    expect(tj.tree.actions.problems.join(" ")).toMatch(/truncation/);
  });

  it("prove refuses an output path that is the store, and a missing record, with one line", () => {
    const { store } = setup(30);
    const same = weft(["audit", "prove", "--store", store, "--seq", "1", "--out", store], {
      WEFT_SECRET: SECRET,
    });
    expect(same.code).toBe(1);
    expect(same.stderr.trim().split("\n")).toHaveLength(1);
    // close() published a final checkpoint of size 30: seq 29 is covered, seq 30 does not exist.
    expect(weft(["audit", "prove", "--store", store, "--seq", "29"], { WEFT_SECRET: SECRET }).code).toBe(0);
    const missing = weft(["audit", "prove", "--store", store, "--seq", "30"], { WEFT_SECRET: SECRET });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/not covered/);
  });
});
