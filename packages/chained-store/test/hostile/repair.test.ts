// Rule 9: repair is byte-exact. Torn tails built for real (bytes appended to a real store): the
// bytes moved aside equal the torn bytes exactly, including invalid UTF-8 and a multi-byte
// character cut in half; a whole record missing its newline is completed at the file's true
// end; the `.spans.jsonl` sidecar is repaired too; a store the span mirror alone wrote is a store.
import { appendFileSync, existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openStore, repairJsonlStore, StoreTornTailError, spansPathFor } from "../../src/index.js";
import { cleanupTempDirs, sampleSpan, sampleTrace, tempDir } from "../helpers.js";

const SECRET = "repair-secret";
afterAll(cleanupTempDirs);

function store(n: number, spans = 0): string {
  const path = join(tempDir(), "audit.jsonl");
  const s = openStore({ path, secret: SECRET });
  for (let i = 0; i < n; i++) s.actions.record(sampleTrace(i, { args: { note: "Zoë ✓ 漢字" } }));
  if (spans > 0) s.spans.appendBatch(Array.from({ length: spans }, (_, i) => sampleSpan(i)));
  s.close();
  return path;
}

describe("torn bytes are saved exactly", () => {
  const tails: Array<[string, Buffer]> = [
    ["invalid UTF-8", Buffer.from([0x7b, 0x22, 0x73, 0xff, 0xfe, 0x80, 0x22])],
    [
      "a multi-byte character cut in half",
      Buffer.concat([Buffer.from('{"seq": 3, "x": "'), Buffer.from("漢").subarray(0, 2)]),
    ],
    ["a NUL and a lone continuation byte", Buffer.from([0x00, 0xbf, 0x0d])],
  ];
  for (const [what, tail] of tails) {
    it(what, () => {
      const path = store(3);
      const good = readFileSync(path);
      appendFileSync(path, tail);
      expect(() => openStore({ path, secret: SECRET, readonly: true })).toThrow(StoreTornTailError);
      const r = repairJsonlStore(path);
      expect(r).toMatchObject({ torn: true, line: 4, bytes: tail.length, completed: false });
      expect(readFileSync(r.movedTo!)).toEqual(tail);
      expect(readFileSync(path)).toEqual(good);
      const s = openStore({ path, secret: SECRET, readonly: true });
      expect(s.verify("actions")).toMatchObject({ ok: true, recordsChecked: 3 });
      s.close();
    });
  }

  it("a whole record without its newline is completed at the file's true end, nothing overwritten", () => {
    const path = store(4);
    const full = readFileSync(path);
    const cut = full.subarray(0, full.length - 1); // drop only the final "\n"
    writeFileSync(path, cut);
    const r = repairJsonlStore(path);
    expect(r).toMatchObject({ torn: true, line: 4, completed: true, bytes: 0 });
    expect(readFileSync(path)).toEqual(full);
  });

  it("a complete-looking last line that is not valid UTF-8 is moved aside, not completed", () => {
    const path = store(2);
    const lines = readFileSync(path).toString("utf8").split("\n");
    // A record with the next seq whose text holds an invalid byte: JSON.parse would accept it
    // (as U+FFFD, three bytes in place of one), so a text-based repair would misplace the newline.
    const forged = Buffer.concat([Buffer.from(lines[1]!.replace('"seq": 1', '"seq": 2').replace("Zo", "Z"))]);
    const bad = Buffer.from(forged);
    const at = bad.indexOf(Buffer.from("Z"));
    bad[at] = 0xff;
    appendFileSync(path, bad);
    const before = statSync(path).size;
    const r = repairJsonlStore(path);
    expect(r.completed).toBe(false);
    expect(readFileSync(r.movedTo!)).toEqual(bad);
    expect(statSync(path).size).toBe(before - bad.length);
  });
});

describe("the sidecar and span-mirror-only stores", () => {
  it("a torn `.spans.jsonl` is repaired with the store", () => {
    const path = store(2, 3);
    const spans = spansPathFor(path);
    const good = readFileSync(spans);
    appendFileSync(spans, Buffer.from('{"seq": 3, "prev_hash": "ab'));
    expect(() => openStore({ path, secret: SECRET, readonly: true })).toThrow(StoreTornTailError);
    const r = repairJsonlStore(path);
    expect(r.torn).toBe(false);
    expect(r.spans).toMatchObject({ path: spans, torn: true, line: 4, bytes: 27 });
    expect(readFileSync(spans)).toEqual(good);
    const s = openStore({ path, secret: SECRET, readonly: true });
    expect(s.verify("spans")).toMatchObject({ ok: true, recordsChecked: 3 });
    s.close();
  });

  it("a store with only `.spans.jsonl` opens read-only, verifies and repairs", () => {
    const dir = tempDir();
    const path = join(dir, "mirror.jsonl");
    const w = openStore({ path, secret: SECRET });
    w.spans.appendBatch([sampleSpan(0), sampleSpan(1)]);
    w.close();
    expect(existsSync(path)).toBe(false);
    appendFileSync(spansPathFor(path), "{");
    expect(repairJsonlStore(path).spans).toMatchObject({ torn: true, bytes: 1 });
    const s = openStore({ path, secret: SECRET, readonly: true });
    expect(s.actions.count()).toBe(0);
    expect(s.verify("spans")).toMatchObject({ ok: true, recordsChecked: 2 });
    s.close();
  });
});
