// A store written by Weft must be readable and verifiable by the reference implementation
// (weaver-kernel from PyPI): `weaver-kernel audit verify` passes and `audit list --json` shows
// the very traces Weft recorded, number types included (`2.0` stays a float, big ints exact).

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore } from "@weft/chained-store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensurePythonEnv, type PythonEnv } from "./python-env.js";
import { exportFields, type ReferenceVerify, referenceCli, SECRET, withoutCorrection } from "./support.js";
import { weftTraces } from "./weft-traces.js";

const COUNT = 12;
const traces = weftTraces(COUNT);
let env: PythonEnv;
let dir: string;

beforeAll(async () => {
  env = await ensurePythonEnv();
  dir = mkdtempSync(join(tmpdir(), "weft-interop-w2r-"));
}, 600_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.each(["sqlite", "jsonl"] as const)("store written by Weft (%s)", (format) => {
  let path: string;

  beforeAll(() => {
    path = join(dir, format === "jsonl" ? "weft.jsonl" : "weft.db");
    const store = openStore({ path, format, secret: SECRET });
    for (const trace of traces) store.actions.record(trace);
    store.close();
  });

  it("passes `weaver-kernel audit verify`", async () => {
    const r = await referenceCli<ReferenceVerify>(env, "verify", path, format);
    expect(r.json).toEqual({
      ok: true,
      records_checked: COUNT,
      first_bad_seq: null,
      detail: `Verified ${COUNT} record(s).`,
    });
    expect(r.code).toBe(0);
  });

  it("`weaver-kernel audit list --json` lists the same traces, number types and text intact", async () => {
    const r = await referenceCli<Record<string, unknown>[]>(env, "list", path, format);
    expect(r.code).toBe(0);
    expect(r.json.map(withoutCorrection)).toEqual(traces.map(exportFields));
    for (const listed of r.json) expect(listed.correction).toBeNull();
  });

  it("the reference rejects it under a different secret, at the first record", async () => {
    const other = await referenceCli<ReferenceVerify>(env, "verify", path, format, `${SECRET}-other`);
    expect(other.code).toBe(1);
    expect(other.json.ok).toBe(false);
    expect(other.json.first_bad_seq).toBe(0);
    expect(other.json.records_checked).toBe(1);
  });
});
