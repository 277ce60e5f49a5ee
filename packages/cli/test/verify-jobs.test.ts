// `weft audit verify --jobs N`: the flag's range, and that a store big enough to use the hashing
// workers prints the same lines and exit code with --jobs 2 as with --jobs 1 (serial), intact and
// tampered. The store is a real SQLite file; the tamper is an UPDATE behind the store's back.

import { join } from "node:path";
import { openStore, PARALLEL_MIN_RECORDS } from "@weft/chained-store";
import Database from "better-sqlite3";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, SECRET, tempDir, weft } from "./helpers.js";

const N = PARALLEL_MIN_RECORDS + 1000;
let path = "";

function trace(i: number) {
  return {
    actionId: `act-${i}`,
    capabilityId: "crm.read",
    principalId: `agent-${i % 5}`,
    tokenId: `tok-${i}`,
    invokedAt: new Date(Date.UTC(2026, 2, 1) + i * 1000).toISOString().replace(".000Z", "+00:00"),
    args: { id: i },
    responseMode: "summary" as const,
    driverId: "memory",
    handleId: null,
    error: null,
    resultSummary: { fact_count: 1, row_count: 0, warning_count: 0, has_handle: false },
    sensitivity: "NONE" as const,
    eventType: "invoke" as const,
    reasonCode: null,
  };
}

beforeAll(() => {
  ensureBuilt();
  path = join(tempDir(), "big.sqlite");
  const s = openStore({ path, secret: SECRET, synchronous: "NORMAL" });
  for (let at = 0; at < N; at += 5000)
    s.actions.appendBatch(Array.from({ length: Math.min(5000, N - at) }, (_, k) => trace(at + k)));
  s.close();
}, 180_000);

describe("weft audit verify --jobs", () => {
  it("refuses a --jobs outside 1..256 as a usage error (exit 2)", () => {
    for (const bad of ["0", "257", "two", "-1"]) {
      const r = weft(["audit", "verify", "--store", path, "--jobs", bad], { WEFT_SECRET: SECRET });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^error: --jobs must be/);
      expect(r.stderr.split("\n").filter(Boolean)).toHaveLength(1);
    }
  });

  it("prints the same as --jobs 1 on an intact store, then on one tampered mid-store", () => {
    const serial = weft(["audit", "verify", "--store", path, "--jobs", "1", "--json"], {
      WEFT_SECRET: SECRET,
    });
    const parallel = weft(["audit", "verify", "--store", path, "--jobs", "2", "--json"], {
      WEFT_SECRET: SECRET,
    });
    expect(serial.code).toBe(0);
    expect(JSON.parse(serial.stdout)).toMatchObject({ ok: true, records_checked: N });
    expect(parallel).toEqual(serial);

    const at = Math.floor(N * 0.6);
    const db = new Database(path);
    db.prepare("UPDATE traces SET payload = replace(payload, '\"agent-', '\"mallory-') WHERE seq = ?").run(
      at,
    );
    db.close();
    const bad1 = weft(["audit", "verify", "--store", path, "--jobs", "1"], { WEFT_SECRET: SECRET });
    const bad2 = weft(["audit", "verify", "--store", path, "--jobs", "2"], { WEFT_SECRET: SECRET });
    expect(bad1.code).toBe(1);
    expect(bad1.stdout).toBe(
      `TAMPER DETECTED: Tampered record at seq ${at}: content does not match its stored hash (mutation, or wrong secret).\n`,
    );
    expect(bad2).toEqual(bad1);
  }, 180_000);
});
