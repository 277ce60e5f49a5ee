import { json } from "@weft/wire";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { redact } from "../src/index.js";

const pyJsonDumps = json.dumps;

// Property: however the args are shaped, a secret placed under a sensitive field name, or inline
// as a bearer token / API-key assignment / credential in a connection string, never survives
// redaction at any depth (deep containers are elided, strings at the limit are still scrubbed).
const CANARY = "Zq9canaryXv7secret";

const key = fc.constantFrom("a", "data", "items", "meta", "x_1", "Note");
const placement = fc.constantFrom(
  (s: string) => ({ password: s }),
  (s: string) => ({ SECRET: s }),
  (s: string) => ({ card_number: s }),
  (s: string) => `Authorization: Bearer ${s}`,
  (s: string) => `api_key=${s}`,
  (s: string) => `postgres://user:${s}@db.local/app`,
  (s: string) => `token eyJhbGciOiJIUzI1NiJ9.eyJ${s}.sig${s}`,
);

const leaf = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null));
const tree = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: "small" },
    leaf,
    fc.array(tie("node"), { maxLength: 3 }),
    fc.dictionary(key, tie("node"), { maxKeys: 3 }),
  ),
})).node;

/** Inserts `secret` somewhere in `t`, following `path` choices. */
function plant(t: unknown, secret: unknown, path: number[]): unknown {
  const [step = 0, ...rest] = path;
  if (Array.isArray(t) && t.length > 0 && rest.length > 0) {
    const i = step % t.length;
    return t.map((x, j) => (j === i ? plant(x, secret, rest) : x));
  }
  if (t !== null && typeof t === "object" && !Array.isArray(t) && rest.length > 0) {
    const keys = Object.keys(t);
    if (keys.length > 0) {
      const k = keys[step % keys.length] as string;
      return { ...t, [k]: plant((t as Record<string, unknown>)[k], secret, rest) };
    }
  }
  return { wrapped: t, planted: secret };
}

describe("redaction property", () => {
  it("never lets a planted secret through", () => {
    fc.assert(
      fc.property(tree, placement, fc.array(fc.nat(), { maxLength: 6 }), (t, place, path) => {
        const args = { root: plant(t, place(CANARY), path) };
        const out = redact(args).value;
        expect(pyJsonDumps(out)).not.toContain(CANARY);
      }),
      { numRuns: 300 },
    );
  });
});
