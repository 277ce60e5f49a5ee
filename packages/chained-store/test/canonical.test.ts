import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { json } from "@weft/wire";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalRecordMessage, computeRecordHash } from "../src/index.js";
import { fixture } from "./helpers.js";

const canonicalize = json.canonicalize;
const formatPythonFloat = json.floatRepr;
const isJsonNumber = json.LosslessNumber.is;
const jsonNumber = (lexeme: string) => new json.LosslessNumber(lexeme);
const parseJsonLossless = json.parse;

/** Python itself as the oracle: json.loads each line, json.dumps canonically. Null when python3 is absent. */
function pythonCanonical(lines: string[]): string[] | null {
  const script =
    "import json,sys\n" +
    "for line in sys.stdin.read().split('\\n')[:-1]:\n" +
    "    print(json.dumps(json.loads(line), sort_keys=True, separators=(',', ':'), ensure_ascii=True))\n";
  const r = spawnSync("python3", ["-c", script], {
    input: `${lines.join("\n")}\n`,
    encoding: "utf8",
    maxBuffer: 1 << 26,
  });
  if (r.error) {
    console.warn(`SKIPPED: python3 not available for the canonical-JSON oracle (${r.error.message})`);
    return null;
  }
  if (r.status !== 0) throw new Error(`python3 failed: ${r.stderr}`);
  return r.stdout.split("\n").slice(0, -1);
}

const jsonArb = fc.jsonValue({ maxDepth: 4 });
/** JSON values with strings over the whole UTF-16 range (lone surrogates, controls, astral). */
const wideJsonArb = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.string({ unit: "binary" }),
    fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(fc.string({ unit: "binary", maxLength: 6 }), tie("value"), { maxKeys: 4 }),
  ),
})).value;

describe("formatPythonFloat", () => {
  it.each([
    [2, "2.0"],
    [-0, "-0.0"],
    [0, "0.0"],
    [1e-7, "1e-07"],
    [1e16, "1e+16"],
    [1e21, "1e+21"],
    [123456789012345680000, "1.2345678901234568e+20"],
    [100.5, "100.5"],
    [-0.5, "-0.5"],
    [0.0001, "0.0001"],
    [0.00001, "1e-05"],
    [1e15, "1000000000000000.0"],
    [5e-324, "5e-324"],
    [1.7976931348623157e308, "1.7976931348623157e+308"],
    [Number.NaN, "NaN"],
    [Number.POSITIVE_INFINITY, "Infinity"],
    [Number.NEGATIVE_INFINITY, "-Infinity"],
  ])("%s → %s", (n, expected) => {
    expect(formatPythonFloat(n)).toBe(expected);
  });

  it("matches Python repr() for random doubles", () => {
    const doubles = fc.sample(fc.double({ noNaN: true }), 3000);
    const lines = doubles.map((d) =>
      Object.is(d, -0) ? "-0.0" : Number.isFinite(d) ? d.toExponential(20) : d > 0 ? "Infinity" : "-Infinity",
    );
    // Send exact values as 21-significant-digit exponent literals; Python parses them as floats.
    const py = pythonCanonical(lines.map((l) => `[${l}]`));
    if (py === null) return;
    doubles.forEach((d, i) => {
      expect(`[${formatPythonFloat(d)}]`).toBe(py[i]);
    });
  });
});

describe("canonicalize", () => {
  it("escapes like ensure_ascii (lowercase \\u, surrogate pairs, short escapes, / unescaped)", () => {
    expect(canonicalize('a"\\\n\r\t\b\f\u0001\u007f/é—✓😀')).toBe(
      '"a\\"\\\\\\n\\r\\t\\b\\f\\u0001\\u007f/\\u00e9\\u2014\\u2713\\ud83d\\ude00"',
    );
  });

  it("sorts keys by code point, not UTF-16 unit", () => {
    expect(canonicalize({ "\uffff": 1, "😀": 2, b: 3, a: 4 })).toBe(
      '{"a":4,"b":3,"\\uffff":1,"\\ud83d\\ude00":2}',
    );
  });

  it("keeps integers beyond 2^53 exact (bigint, JsonNumber) and JS integers as ints", () => {
    expect(
      canonicalize({ a: 9007199254740993n, b: jsonNumber("123456789012345678901234567890"), c: 1e21, d: -0 }),
    ).toBe('{"a":9007199254740993,"b":123456789012345678901234567890,"c":1000000000000000000000,"d":0}');
  });

  it("emits JsonNumber lexemes as Python would re-emit them", () => {
    expect(
      canonicalize([
        jsonNumber("2.0"),
        jsonNumber("1e-07"),
        jsonNumber("1E5"),
        jsonNumber("-0"),
        jsonNumber("-0.0"),
      ]),
    ).toBe("[2.0,1e-07,100000.0,0,-0.0]");
  });

  it("drops keys whose value is undefined (like JSON.stringify), wherever they sort", () => {
    expect(canonicalize({ a: undefined, b: 1, c: undefined, d: 2 })).toBe('{"b":1,"d":2}');
    expect(canonicalize({ z: 1, a: undefined })).toBe('{"z":1}');
    expect(canonicalize({ a: undefined })).toBe("{}");
    // Same shape seen again (cached key order) with different absent keys.
    expect(canonicalize({ a: 1, b: undefined, c: undefined, d: 2 })).toBe('{"a":1,"d":2}');
  });

  it("rejects values JSON cannot carry, with a typed error", () => {
    expect(() => canonicalize({ a: new Date(0) })).toThrow(
      expect.objectContaining({ code: "JSON_NOT_SERIALIZABLE", path: "$.a" }),
    );
    expect(() => canonicalize([undefined])).toThrow(
      expect.objectContaining({ code: "JSON_NOT_SERIALIZABLE", path: "$[0]" }),
    );
    expect(() => canonicalize(() => 1)).toThrow(expect.objectContaining({ code: "JSON_NOT_SERIALIZABLE" }));
  });

  it("reproduces every records.json canonical message and record hash byte for byte", () => {
    const vectors = JSON.parse(readFileSync(fixture("records.json"), "utf8")) as {
      secret: string;
      records: Array<{ seq: number; prev_hash: string; record_hash: string; canonical_message: string }>;
    };
    const lines = readFileSync(fixture("chain.jsonl"), "utf8").trimEnd().split("\n");
    expect(lines).toHaveLength(vectors.records.length);
    vectors.records.forEach((r, i) => {
      const env = parseJsonLossless(lines[i]!) as { trace: unknown };
      expect(canonicalRecordMessage(r.seq, r.prev_hash, env.trace)).toBe(r.canonical_message);
      expect(computeRecordHash(vectors.secret, r.seq, r.prev_hash, env.trace)).toBe(r.record_hash);
    });
  });

  it("reproduces the minimal chain and the doctor self-test vector", () => {
    const v = JSON.parse(readFileSync(fixture("chain-minimal.json"), "utf8")) as Record<string, unknown>;
    const minimal = v["minimal"] as {
      secret: string;
      records: Array<{
        seq: number;
        prev_hash: string;
        record_hash: string;
        trace: unknown;
        canonical_message: string;
      }>;
    };
    for (const r of minimal.records) {
      expect(canonicalRecordMessage(r.seq, r.prev_hash, r.trace)).toBe(r.canonical_message);
      expect(computeRecordHash(minimal.secret, r.seq, r.prev_hash, r.trace)).toBe(r.record_hash);
    }
    // The reference doctor vector (facts sheet §4).
    const trace = {
      action_id: "doctor-1",
      capability_id: "doctor.cap",
      principal_id: "doctor-principal",
      token_id: "doctor-tok",
      invoked_at: "2026-01-01T00:00:00+00:00",
      response_mode: "summary",
      driver_id: "memory",
      handle_id: null,
      sensitivity: "NONE",
      status: "succeeded",
      event_type: "invoke",
      reason_code: null,
      error: null,
      args: {},
      result_summary: null,
      correction: null,
    };
    expect(computeRecordHash("weaver-kernel-doctor-test-vector", 0, "0".repeat(64), trace)).toBe(
      "e1f8978a6fdc9a2a803ed6934dd90be43896eee1e72463426cd545d0406c5584",
    );
  });

  it("property: canonical(parse(canonical(x))) == canonical(x) for arbitrary JSON incl. floats, unicode, big ints", () => {
    fc.assert(
      fc.property(wideJsonArb, (x) => {
        const c = canonicalize(x);
        expect(canonicalize(parseJsonLossless(c))).toBe(c);
      }),
      { numRuns: 1500 },
    );
  });

  it("property: canonical output equals Python json.dumps(json.loads(.), sort_keys, compact, ensure_ascii)", () => {
    const values = [...fc.sample(wideJsonArb, 600), ...fc.sample(jsonArb, 600)];
    const ours = values.map((v) => canonicalize(v));
    const py = pythonCanonical(ours);
    if (py === null) return;
    ours.forEach((c, i) => {
      expect(c).toBe(py[i]);
    });
  });
});

describe("parseJsonLossless", () => {
  it("keeps float lexemes Python wrote and ints beyond 2^53", () => {
    const v = parseJsonLossless(
      '{"r":2.0,"big":9007199254740993,"x":100.5,"n":-0.0,"e":1e+21,"s":"\\u00e9"}',
    ) as Record<string, unknown>;
    expect(v["r"]).toEqual(new json.LosslessNumber("2.0"));
    expect(isJsonNumber(v["big"])).toBe(true);
    expect(v["x"]).toBe(100.5);
    expect(isJsonNumber(v["n"])).toBe(true);
    expect(v["s"]).toBe("é");
    expect(canonicalize(v)).toBe(
      '{"big":9007199254740993,"e":1e+21,"n":-0.0,"r":2.0,"s":"\\u00e9","x":100.5}',
    );
  });

  it("is strict: rejects what Python's json.loads rejects, with a typed error and position", () => {
    for (const bad of ["{", "[1,]", '{"a" 1}', "01", '"\u0001"', "tru", "1 2", '"\\x"', "{'a':1}"]) {
      expect(() => parseJsonLossless(bad), bad).toThrow(expect.objectContaining({ code: "JSON_SYNTAX" }));
    }
  });

  it("never lets a __proto__ key change the prototype", () => {
    const v = parseJsonLossless('{"__proto__":{"polluted":1}}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(canonicalize(v)).toBe('{"__proto__":{"polluted":1}}');
  });
});
