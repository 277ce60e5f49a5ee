// `weft audit verify` on the weaver-kernel golden stores (test/fixtures/weaver-kernel, written by
// the Python reference) prints exactly the outcomes in verify-cases.json, as text and as --json.
import { copyFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, FIXTURES, tempDir, weft } from "./helpers.js";

interface Expected {
  ok: boolean;
  records_checked: number;
  first_bad_seq: number | null;
  detail: string;
}
interface Case {
  file: string;
  secret?: string;
  expected: Expected;
  expected_after_prune?: Expected;
}

const cases = JSON.parse(readFileSync(join(FIXTURES, "verify-cases.json"), "utf8")) as Record<string, Case>;
const DEFAULT_SECRET = "test-secret-for-vectors";
let dir: string;

beforeAll(() => {
  ensureBuilt();
  dir = tempDir("weft-cli-vectors-");
});

/** SQLite fixtures are copied first: opening may create journal files next to them. */
function storeFor(file: string): string {
  if (!file.endsWith(".sqlite")) return join(FIXTURES, file);
  const copy = join(dir, `${Math.random().toString(36).slice(2)}-${file}`);
  copyFileSync(join(FIXTURES, file), copy);
  return copy;
}

describe("weft audit verify on the reference vectors", () => {
  for (const [name, c] of Object.entries(cases)) {
    it(`${name} (${c.file}) → ${c.expected.ok ? "OK" : "TAMPER DETECTED"}`, () => {
      const secret = c.secret ?? DEFAULT_SECRET;
      const path = storeFor(c.file);
      const j = weft(["audit", "verify", "--store", path, "--json"], { WEFT_SECRET: secret });
      // The reference prunes without signing its checkpoint: Weft verifies the suffix and says
      // (stderr, and `warnings` in JSON) that what came before the checkpoint is unproven.
      const unsignedStart = c.expected.ok && c.file.includes("pruned");
      if (unsignedStart) {
        expect(j.stderr).toMatch(
          /^warning: \[actions\] the actions chain starts at seq \d+ from a checkpoint that is not authenticated/,
        );
        const { warnings, ...rest } = JSON.parse(j.stdout) as { warnings: string[] };
        expect(rest).toEqual(c.expected);
        expect(warnings).toHaveLength(1);
      } else {
        expect(j.stderr).toBe("");
        expect(JSON.parse(j.stdout)).toEqual(c.expected);
      }
      expect(j.code).toBe(c.expected.ok ? 0 : 1);

      // text form, with the secret given the reference way (--secret), env unset
      const t = weft(["audit", "verify", "--store", path, "--secret", secret]);
      expect(t.stdout).toBe(`${c.expected.ok ? "OK" : "TAMPER DETECTED"}: ${c.expected.detail}\n`);
      expect(t.code).toBe(c.expected.ok ? 0 : 1);
    });
  }

  it("WEAVER_KERNEL_SECRET is honoured like the reference", () => {
    const r = weft(["audit", "verify", "--store", join(FIXTURES, "chain.jsonl")], {
      WEAVER_KERNEL_SECRET: DEFAULT_SECRET,
    });
    expect(r.stdout).toBe("OK: Verified 12 record(s).\n");
    expect(r.code).toBe(0);
  });

  it("the reference list table and export lines for chain.jsonl", () => {
    const list = weft(["audit", "list", "--store", join(FIXTURES, "chain.jsonl")]);
    expect(list.code).toBe(0);
    const rows = list.stdout.trimEnd().split("\n");
    expect(rows).toHaveLength(14);
    // non-ASCII principal padded by code points, as Python does
    expect(rows.find((r) => r.startsWith("act-0008"))).toBe(
      `${"act-0008".padEnd(38)} ${"docs.search".padEnd(28)} agent-été${" ".repeat(18 - 9)} succeeded 2026-03-01T12:07:00+00:00`,
    );
    // export lines keep Python floats (2.0, 1e-07) and ASCII escapes exactly as the reference wrote them
    const exp = weft(["audit", "export", "--store", join(FIXTURES, "chain.jsonl")]);
    const lines = exp.stdout.trimEnd().split("\n");
    const reference = readFileSync(join(FIXTURES, "chain.jsonl"), "utf8")
      .trimEnd()
      .split("\n")
      .map((l) => {
        const m = /"trace": (\{.*\})\}$/.exec(l);
        return m?.[1];
      });
    expect(lines).toEqual(reference);
  });
});
