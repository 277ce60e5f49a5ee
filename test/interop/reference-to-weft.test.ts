// A store written by the reference's own SQLiteTraceStore / JsonlTraceStore (weaver-kernel from
// PyPI, Python floats such as 2.0 and 1e-07, -0.0, ints beyond 2^64, non-ASCII and astral text)
// must pass Weft's verify, read back as the same traces with the reference's own seq/hashes, and
// accept Weft appends that the reference then verifies.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore } from "@weft/chained-store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensurePythonEnv, type PythonEnv } from "./python-env.js";
import {
  exportFields,
  type PythonWritten,
  pythonWriteStore,
  type ReferenceVerify,
  referenceCli,
  SECRET,
  withoutCorrection,
} from "./support.js";
import { weftTrace } from "./weft-traces.js";

const COUNT = 12;
let env: PythonEnv;
let dir: string;

beforeAll(async () => {
  env = await ensurePythonEnv();
  dir = mkdtempSync(join(tmpdir(), "weft-interop-r2w-"));
}, 600_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.each(["sqlite", "jsonl"] as const)("store written by the reference's own %s store", (format) => {
  let path: string;
  let written: PythonWritten;

  beforeAll(async () => {
    path = join(dir, format === "jsonl" ? "ref.jsonl" : "ref.db");
    written = await pythonWriteStore(env, format, path, COUNT);
    expect(written.records).toHaveLength(COUNT);
  });

  it("passes Weft's verify", () => {
    const store = openStore({ path, format, secret: SECRET, readonly: true });
    try {
      expect(store.verify("actions")).toEqual({
        ok: true,
        recordsChecked: COUNT,
        firstBadSeq: null,
        detail: `Verified ${COUNT} record(s).`,
      });
    } finally {
      store.close();
    }
  });

  it("Weft reads the same traces, with the reference's seq, prev_hash and record_hash", () => {
    const store = openStore({ path, format, secret: SECRET, readonly: true });
    try {
      expect(store.actions.listAll().map(exportFields)).toEqual(written.traces.map(withoutCorrection));
      const records = [...store.actions.iterate()].map((r) => ({
        seq: r.seq,
        prev_hash: r.prevHash,
        record_hash: r.recordHash,
      }));
      expect(records).toEqual(written.records);
      expect(store.actions.get("py-0005")).toBeDefined();
    } finally {
      store.close();
    }
  });

  it("Weft appends continue the reference's chain, and the reference verifies the result", async () => {
    const store = openStore({ path, format, secret: SECRET });
    try {
      store.actions.record(weftTrace(100));
      store.actions.record(weftTrace(101));
      expect(store.actions.head()?.seq).toBe(COUNT + 1);
    } finally {
      store.close();
    }
    const r = await referenceCli<ReferenceVerify>(env, "verify", path, format);
    expect(r.json).toEqual({
      ok: true,
      records_checked: COUNT + 2,
      first_bad_seq: null,
      detail: `Verified ${COUNT + 2} record(s).`,
    });
    expect(r.code).toBe(0);
  });
});
