// The decisions chain: a kernel capturing into a real store (SQLite, JSONL, memory), records read
// back only after the chain verified, a hand-edited record caught, and reference-era files
// (no decisions table) opened read-only without error.

import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  CapabilityRegistry,
  DefaultPolicyEngine,
  decodeDecisionRecord,
  HmacTokenProvider,
  Kernel,
  PolicyDeniedError,
  replay,
} from "@weft/kernel";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { type ChainedStore, decisionsPathFor, openStore } from "../src/index.js";
import { cleanupTempDirs, tempDir } from "./helpers.js";

const SECRET = "decisions-test-secret";
afterAll(cleanupTempDirs);

function capture(store: ChainedStore): void {
  const registry = new CapabilityRegistry();
  registry.register({ capabilityId: "crm.list", name: "List", description: "d", safetyClass: "READ" });
  registry.register({ capabilityId: "crm.update", name: "Update", description: "d", safetyClass: "WRITE" });
  const kernel = new Kernel({
    registry,
    tokenProvider: new HmacTokenProvider({ secret: SECRET }),
    traceStore: store.actions,
    decisions: { log: store.decisions },
  });
  const grant = (cap: string, roles: string[], justification = "") => {
    try {
      kernel.grantCapability(
        { capabilityId: cap, goal: "g" },
        { principalId: "p1", roles },
        { justification },
      );
    } catch (e) {
      if (!(e instanceof PolicyDeniedError)) throw e;
    }
  };
  grant("crm.list", ["reader"]);
  grant("crm.update", ["reader"], "needs to fix a typo now");
  grant("crm.update", ["writer"], "needs to fix a typo now");
}

describe.each(["sqlite", "jsonl", "memory"] as const)("decisions chain (%s)", (format) => {
  const path = format === "memory" ? undefined : join(tempDir(), format === "jsonl" ? "s.jsonl" : "s.db");

  it("holds one verified record per grant decision, replayable to an empty diff", () => {
    const store = openStore({ ...(path !== undefined && { path }), format, secret: SECRET });
    try {
      capture(store);
      expect(store.decisions.count()).toBe(3);
      expect(store.verify("decisions").ok).toBe(true);
      const { verify, records } = store.decisions.readVerified();
      expect(verify).toMatchObject({ ok: true, recordsChecked: 3 });
      const decoded = records.map((r) => decodeDecisionRecord(r.payload, r.seq));
      const recs = decoded.map((d) => (d.ok ? d.record : null));
      expect(recs.map((r) => r?.baselineAllowed)).toEqual([true, false, true]);
      expect(
        replay(
          recs.filter((r) => r !== null),
          new DefaultPolicyEngine(),
        ).unchanged,
      ).toBe(3);
    } finally {
      store.close();
    }
  });
});

describe("decisions chain tamper evidence", () => {
  it("SQLite: editing one recorded decision makes the chain fail at that seq and returns no records", () => {
    const path = join(tempDir(), "t.db");
    const store = openStore({ path, secret: SECRET });
    capture(store);
    store.close();
    const db = new Database(path);
    const payload = db.prepare("SELECT payload FROM weft_decisions WHERE seq = 1").pluck().get() as string;
    db.prepare("UPDATE weft_decisions SET payload = ? WHERE seq = 1").run(
      payload.replace('"allowed":false', '"allowed":true'),
    );
    db.close();
    const ro = openStore({ path, secret: SECRET, readonly: true });
    try {
      const { verify, records } = ro.decisions.readVerified();
      expect(verify.ok).toBe(false);
      expect(verify.firstBadSeq).toBe(1);
      expect(records).toEqual([]);
    } finally {
      ro.close();
    }
  });

  it("JSONL: the decisions file sits next to the store and an edited line fails verify", () => {
    const path = join(tempDir(), "audit.jsonl");
    const store = openStore({ path, secret: SECRET });
    capture(store);
    store.close();
    const file = decisionsPathFor(path);
    expect(file.endsWith("audit.decisions.jsonl")).toBe(true);
    const text = readFileSync(file, "utf8");
    writeFileSync(
      file,
      text
        .replace('"roles": ["writer"]', '"roles": ["admin"]')
        .replace('"roles":["writer"]', '"roles":["admin"]'),
    );
    const ro = openStore({ path, secret: SECRET, readonly: true });
    try {
      expect(ro.decisions.readVerified().verify.ok).toBe(false);
    } finally {
      ro.close();
    }
  });

  it("a store written before decisions existed opens read-only with an empty decisions chain", () => {
    const path = join(tempDir(), "old.db");
    openStore({ path, secret: SECRET }).close();
    const db = new Database(path);
    db.exec("DROP TABLE weft_decisions");
    db.close();
    const ro = openStore({ path, secret: SECRET, readonly: true });
    try {
      expect(ro.decisions.count()).toBe(0);
      expect(ro.decisions.head()).toBeNull();
    } finally {
      ro.close();
    }
    // A writable open adds the table.
    const rw = openStore({ path, secret: SECRET });
    try {
      capture(rw);
      expect(rw.decisions.count()).toBe(3);
    } finally {
      rw.close();
    }
  });
});
