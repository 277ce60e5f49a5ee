// Pruning keeps a verifiable suffix (the reference's checkpoint in `meta`), and the two
// implementations must agree on it both ways: a store pruned by Weft verifies under the reference
// and accepts the reference's appends at the right seq; a store pruned by the reference verifies
// under Weft and accepts Weft's appends. SQLite only (the reference's JSONL store never prunes).

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore } from "@weft/chained-store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensurePythonEnv, type PythonEnv } from "./python-env.js";
import { pythonPrune, pythonWriteStore, type ReferenceVerify, referenceCli, SECRET } from "./support.js";
import { weftTrace, weftTraces } from "./weft-traces.js";

const COUNT = 12;
/** Both writers stamp trace i at second i (micros after it, or none): this cuts traces 0..4. */
const PRUNED = 5;
let env: PythonEnv;
let dir: string;

beforeAll(async () => {
  env = await ensurePythonEnv();
  dir = mkdtempSync(join(tmpdir(), "weft-interop-prune-"));
}, 600_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function expectVerified(r: { code: number | null; json: ReferenceVerify }, n: number): void {
  expect(r.json).toEqual({
    ok: true,
    records_checked: n,
    first_bad_seq: null,
    detail: `Verified ${n} record(s).`,
  });
  expect(r.code).toBe(0);
}

describe("a store pruned by Weft", () => {
  const path = () => join(dir, "weft-pruned.db");

  beforeAll(() => {
    const store = openStore({ path: path(), format: "sqlite", secret: SECRET });
    try {
      for (const t of weftTraces(COUNT)) store.actions.record(t);
      expect(store.actions.prune("2026-04-01T09:00:05+00:00")).toBe(PRUNED);
    } finally {
      store.close();
    }
  });

  it("passes `weaver-kernel audit verify` (suffix checked from the checkpoint)", async () => {
    expectVerified(await referenceCli<ReferenceVerify>(env, "verify", path(), "sqlite"), COUNT - PRUNED);
  });

  it("takes the reference's appends at the next seq, and both verifiers accept the result", async () => {
    const written = await pythonWriteStore(env, "sqlite", path(), 2, 50);
    expect(written.records.map((r) => r.seq)).toEqual([5, 6, 7, 8, 9, 10, 11, 12, 13]);
    expectVerified(await referenceCli<ReferenceVerify>(env, "verify", path(), "sqlite"), COUNT - PRUNED + 2);
    const store = openStore({ path: path(), format: "sqlite", secret: SECRET, readonly: true });
    try {
      expect(store.verify("actions")).toMatchObject({ ok: true, recordsChecked: COUNT - PRUNED + 2 });
    } finally {
      store.close();
    }
  });
});

describe("a store pruned by the reference", () => {
  const path = () => join(dir, "ref-pruned.db");

  beforeAll(async () => {
    await pythonWriteStore(env, "sqlite", path(), COUNT);
    const pruned = await pythonPrune(env, path(), "2026-03-01T12:00:05+00:00");
    expect(pruned.pruned).toBe(PRUNED);
    expect(pruned.checkpoint_next_seq).toBe(String(PRUNED));
  });

  it("passes Weft's verify (suffix checked from the checkpoint), warning that the start is unauthenticated", () => {
    const store = openStore({ path: path(), format: "sqlite", secret: SECRET, readonly: true });
    try {
      const r = store.verify("actions");
      expect(r).toMatchObject({
        ok: true,
        recordsChecked: COUNT - PRUNED,
        firstBadSeq: null,
        detail: `Verified ${COUNT - PRUNED} record(s).`,
      });
      // The reference signs nothing about its checkpoint: Weft cannot tell it from a head cut.
      expect(r.warnings).toHaveLength(1);
      expect(r.warnings?.[0]).toMatch(/starts at seq 5 from a checkpoint that is not authenticated/);
    } finally {
      store.close();
    }
  });

  it("takes Weft's appends at the next seq, and the reference verifies the result", async () => {
    const store = openStore({ path: path(), format: "sqlite", secret: SECRET });
    try {
      store.actions.record(weftTrace(200));
      expect(store.actions.head()?.seq).toBe(COUNT);
    } finally {
      store.close();
    }
    expectVerified(await referenceCli<ReferenceVerify>(env, "verify", path(), "sqlite"), COUNT - PRUNED + 1);
    // Weft adopted (signed) the checkpoint it found on its first write, and keeps saying so.
    const ro = openStore({ path: path(), format: "sqlite", secret: SECRET, readonly: true });
    try {
      const r = ro.verify("actions");
      expect(r).toMatchObject({ ok: true, recordsChecked: COUNT - PRUNED + 1 });
      expect(r.warnings?.[0]).toMatch(/found unsigned when it first wrote/);
    } finally {
      ro.close();
    }
  });

  it("after pruning everything, Weft appends at checkpoint_next_seq and the reference verifies", async () => {
    const all = join(dir, "ref-pruned-all.db");
    await pythonWriteStore(env, "sqlite", all, 3);
    expect((await pythonPrune(env, all, "2030-01-01T00:00:00+00:00")).pruned).toBe(3);
    const store = openStore({ path: all, format: "sqlite", secret: SECRET });
    try {
      const rec = store.actions.append(weftTrace(300));
      expect(rec.seq).toBe(3);
    } finally {
      store.close();
    }
    expectVerified(await referenceCli<ReferenceVerify>(env, "verify", all, "sqlite"), 1);
  });
});
