// Property over the built CLI (fast-check, fixed seed, a small bounded budget since each run is a
// process): `weft audit verify` on randomly damaged stores always ends with exactly one line,
// exit 0 or 1, no stack trace, bounded memory; and says OK only when the library, reading the
// same file, finds the original records (or a prefix of them).
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { canonicalize, openStore } from "@weft/chained-store";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, SECRET, tempDir } from "../helpers.js";
import { runWeft, trace } from "./support.js";

let dir: string;
let base: Buffer;
let original: string[];

beforeAll(() => {
  ensureBuilt();
  dir = tempDir("weft-cli-fuzz-");
  const path = join(dir, "base.jsonl");
  const s = openStore({ path, secret: SECRET });
  for (let i = 0; i < 5; i++) s.actions.record(trace(i));
  original = [...s.actions.iterate()].map((r) => canonicalize(r.payload));
  s.close();
  base = readFileSync(path);
}, 120_000);

describe("fuzz: weft audit verify on damaged JSONL", () => {
  it("one line, exit 0/1, no stack, OK only for the original records", () => {
    let run = 0;
    fc.assert(
      fc.property(
        fc.array(fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }), {
          minLength: 1,
          maxLength: 3,
        }),
        (edits) => {
          const b = Buffer.from(base);
          for (const e of edits) b[e.at % b.length] = e.byte;
          const path = join(dir, `m${run++}.jsonl`);
          writeFileSync(path, b);
          const r = runWeft(["audit", "verify", "--store", path, "--secret", SECRET]);
          expect(r.signal).toBeNull();
          expect([0, 1]).toContain(r.code);
          expect(r.lines).toHaveLength(1);
          expect(`${r.stdout}${r.stderr}`).not.toMatch(/^\s+at /m);
          expect(r.maxRssKb).toBeLessThan(256 * 1024);
          if (r.code === 0) {
            const s = openStore({ path, secret: SECRET, readonly: true });
            try {
              const got = [...s.actions.iterate()].map((x) => canonicalize(x.payload));
              expect(got.every((g, i) => g === original[i])).toBe(true);
            } finally {
              s.close();
            }
          }
        },
      ),
      { seed: 20261205, numRuns: 24 },
    );
  });
});
