// One byte changed inside a record (a payload cell of a SQLite page, or a JSONL line; chosen
// inside a JSON string so the file still parses) must be caught by BOTH verifiers, whichever side
// wrote the store, at the same first bad seq and with the same detail. The reference's verdict is
// the oracle; the tampered seq is known from construction.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore } from "@weft/chained-store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensurePythonEnv, type PythonEnv } from "./python-env.js";
import { flipMarkerByte, pythonWriteStore, type ReferenceVerify, referenceCli, SECRET } from "./support.js";
import { marker, weftTraces } from "./weft-traces.js";

const COUNT = 8;
const TAMPERED_SEQ = 3;
let env: PythonEnv;
let dir: string;

beforeAll(async () => {
  env = await ensurePythonEnv();
  dir = mkdtempSync(join(tmpdir(), "weft-interop-tamper-"));
}, 600_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const cases = [
  { writer: "Weft", format: "sqlite" },
  { writer: "Weft", format: "jsonl" },
  { writer: "reference", format: "sqlite" },
  { writer: "reference", format: "jsonl" },
] as const;

describe.each(cases)("one byte changed in a $writer-written $format store", ({ writer, format }) => {
  let path: string;

  beforeAll(async () => {
    path = join(dir, `${writer}-${format}.${format === "jsonl" ? "jsonl" : "db"}`);
    if (writer === "Weft") {
      const store = openStore({ path, format, secret: SECRET });
      for (const trace of weftTraces(COUNT)) store.actions.record(trace);
      store.close();
    } else {
      await pythonWriteStore(env, format, path, COUNT);
    }
    // Both verifiers accept the untouched store, so the failure below is the byte flip's doing.
    const before = await referenceCli<ReferenceVerify>(env, "verify", path, format);
    expect(before.json.ok).toBe(true);
    flipMarkerByte(path, marker(TAMPERED_SEQ), format);
  });

  it(`is caught by both verifiers at seq ${TAMPERED_SEQ} with the same detail`, async () => {
    const ref = await referenceCli<ReferenceVerify>(env, "verify", path, format);
    expect(ref.code).toBe(1);
    expect(ref.json.ok).toBe(false);
    expect(ref.json.first_bad_seq).toBe(TAMPERED_SEQ);
    expect(ref.json.records_checked).toBe(TAMPERED_SEQ + 1);
    expect(ref.json.detail).toMatch(/^Tampered record at seq 3/);

    const store = openStore({ path, format, secret: SECRET, readonly: true });
    try {
      expect(store.verify("actions")).toEqual({
        ok: false,
        recordsChecked: ref.json.records_checked,
        firstBadSeq: ref.json.first_bad_seq,
        detail: ref.json.detail,
      });
    } finally {
      store.close();
    }
  });
});
