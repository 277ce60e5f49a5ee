// Hostile JSON for the one reader and writers (issue 11 rules 1, 4, 6): duplicate keys, nesting
// far beyond any stack, keys that are special to JS objects, and values that try to pass for the
// lossless number type. Every case must end in a typed error or a faithful value, never a crash.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  JsonDepthError,
  JsonDuplicateKeyError,
  JsonInputError,
  JsonSyntaxError,
  JsonValueError,
  json,
} from "../../src/index.js";

const DEEP = 100_000;

describe("duplicate keys", () => {
  it("are an error at the second occurrence, in any object at any depth", () => {
    for (const [text, key] of [
      ['{"a":1,"a":2}', "a"],
      ['{"x":{"k":[{"b":1,"c":2,"b":1}]}}', "b"],
      ['{"__proto__":1,"__proto__":2}', "__proto__"],
      ['{"constructor":1,"constructor":1}', "constructor"],
      // The same key spelled two ways is still the same key once decoded.
      ['{"a":1,"\\u0061":2}', "a"],
    ] as const) {
      let err: unknown;
      try {
        json.parse(text);
      } catch (e) {
        err = e;
      }
      expect(err, text).toBeInstanceOf(JsonDuplicateKeyError);
      expect((err as JsonDuplicateKeyError).code).toBe("JSON_DUPLICATE_KEY");
      expect((err as JsonDuplicateKeyError).key).toBe(key);
      expect((err as JsonDuplicateKeyError).position).toBe(
        text.lastIndexOf(text.includes("\\u0061") ? '"\\u0061"' : `"${key}"`),
      );
      expect(err).toBeInstanceOf(JsonInputError);
    }
  });

  it("keys that differ only in case or surrogates are distinct", () => {
    expect(json.parse('{"a":1,"A":2,"\\ud800":3,"\\udc00":4}')).toEqual({
      a: 1,
      A: 2,
      "\ud800": 3,
      "\udc00": 4,
    });
  });
});

describe("nesting depth", () => {
  const opens = (n: number, c: string) => c.repeat(n);
  it(`${DEEP} levels of arrays or objects are a typed error, not a stack overflow`, () => {
    for (const text of [
      opens(DEEP, "[") + opens(DEEP, "]"),
      opens(DEEP, '{"a":') + "1" + opens(DEEP, "}"),
      opens(DEEP, "["), // unterminated as well
      `{"ok":${opens(DEEP, "[")}`,
    ]) {
      let err: unknown;
      try {
        json.parse(text);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(JsonDepthError);
      expect((err as JsonDepthError).code).toBe("JSON_TOO_DEEP");
      expect((err as JsonDepthError).limit).toBe(json.MAX_DEPTH);
    }
  });

  it("exactly MAX_DEPTH levels parse and write back; one more does not", () => {
    const ok = opens(json.MAX_DEPTH, "[") + opens(json.MAX_DEPTH, "]");
    expect(json.canonicalize(json.parse(ok))).toBe(ok);
    expect(json.dumps(json.parse(ok))).toBe(ok);
    const over = `[${ok}]`;
    expect(() => json.parse(over)).toThrow(JsonDepthError);
  });

  it(`writers and the checker refuse ${DEEP}-deep values and cycles with JsonValueError`, () => {
    let deep: unknown = 1;
    for (let i = 0; i < DEEP; i++) deep = i % 2 === 0 ? [deep] : { k: deep };
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic["self"] = { back: cyclic };
    for (const v of [deep, cyclic]) {
      for (const write of [
        json.canonicalize,
        json.dumps,
        json.check,
        (x: unknown) => json.dumps(x, { indent: 2 }),
      ]) {
        expect(() => write(v)).toThrow(JsonValueError);
        try {
          write(v);
        } catch (e) {
          expect((e as JsonValueError).code).toBe("JSON_NOT_SERIALIZABLE");
        }
      }
    }
    try {
      json.canonicalize(cyclic);
    } catch (e) {
      expect((e as JsonValueError).path.startsWith("$.self.back.self.back")).toBe(true);
    }
  });
});

describe("keys special to JS objects are ordinary keys", () => {
  it("__proto__, constructor, prototype round-trip as own data properties", () => {
    const text = '{"__proto__":{"polluted":1},"constructor":"c","prototype":[1],"toString":0}';
    const v = json.parse(text) as Record<string, unknown>;
    expect(Object.keys(v)).toEqual(["__proto__", "constructor", "prototype", "toString"]);
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
    expect(json.canonicalize(v)).toBe(
      '{"__proto__":{"polluted":1},"constructor":"c","prototype":[1],"toString":0}',
    );
    expect(json.dumps(v)).toBe(
      '{"__proto__": {"polluted": 1}, "constructor": "c", "prototype": [1], "toString": 0}',
    );
  });

  it("setKey keeps __proto__ as data", () => {
    const o: Record<string, unknown> = {};
    json.setKey(o, "__proto__", { x: 1 });
    expect(Object.getPrototypeOf(o)).toBe(Object.prototype);
    expect(json.canonicalize(o)).toBe('{"__proto__":{"x":1}}');
  });
});

describe("the lossless number type cannot be impersonated", () => {
  it("an object shaped like the old internal representation stays an object", () => {
    const lookalike = { kind: "json-number", lexeme: "1e999" };
    expect(json.LosslessNumber.is(lookalike)).toBe(false);
    expect(json.canonicalize(lookalike)).toBe('{"kind":"json-number","lexeme":"1e999"}');
    const parsed = json.parse('{"kind":"json-number","lexeme":"2.0"}');
    expect(json.LosslessNumber.is(parsed)).toBe(false);
    expect(json.canonicalize(parsed)).toBe('{"kind":"json-number","lexeme":"2.0"}');
  });

  it("a real LosslessNumber writes as Python would write the number", () => {
    const v = json.parse('{"a":2.0,"b":18446744073709551617,"c":-0.0,"d":1E+2,"e":1e999}') as Record<
      string,
      unknown
    >;
    expect(json.LosslessNumber.is(v["a"])).toBe(true);
    expect(json.canonicalize(v)).toBe('{"a":2.0,"b":18446744073709551617,"c":-0.0,"d":100.0,"e":Infinity}');
    expect(() => new json.LosslessNumber("1.")).toThrow(
      expect.objectContaining({ code: "INVALID_ARGUMENT" }),
    );
    expect(() => new json.LosslessNumber('1,"x":2')).toThrow();
  });
});

describe("non-finite numbers", () => {
  it("NaN, Infinity and -Infinity read and write like Python's json", () => {
    const v = json.parse("[NaN,Infinity,-Infinity]") as unknown[];
    expect(json.canonicalize(v)).toBe("[NaN,Infinity,-Infinity]");
    expect(json.canonicalize([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])).toBe(
      "[NaN,Infinity,-Infinity]",
    );
    expect(Number(v[0])).toBeNaN();
    expect(Number(v[2])).toBe(Number.NEGATIVE_INFINITY);
  });

  it("near misses are syntax errors", () => {
    for (const bad of [
      "nan",
      "-NaN",
      "+Infinity",
      "Infinit",
      "inf",
      "[-]",
      "01",
      "1.",
      ".5",
      "1e",
      '"\\x41"',
      "[1,]",
      '{"a" 1}',
    ]) {
      expect(() => json.parse(bad), bad).toThrow(JsonSyntaxError);
    }
  });
});

describe("values with no JSON form are refused by every writer, never converted", () => {
  // Both the kernel's and the store's writers fed HMACs; the kernel's used to turn these into
  // strings or null while the store's threw. One strict writer now (issue 12).
  const cases: Array<[unknown, string]> = [
    [{ when: new Date(0) }, "$.when"],
    [[1, undefined], "$[1]"],
    [{ f: () => 1 }, "$.f"],
    [{ s: Symbol("x") }, "$.s"],
    [{ m: new Map() }, "$.m"],
    [{ nested: [{ "a b": new Set() }] }, '$.nested[0]["a b"]'],
    [undefined, "$"],
  ];
  for (const [value, path] of cases) {
    it(`${path}`, () => {
      for (const write of [json.canonicalize, json.dumps, json.check]) {
        let err: unknown;
        try {
          write(value);
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(JsonValueError);
        expect((err as JsonValueError).path).toBe(path);
      }
    });
  }

  it("an undefined object member is an absent key, as with JSON.stringify", () => {
    expect(json.canonicalize({ a: undefined, b: 1 })).toBe('{"b":1}');
    expect(json.dumps({ a: undefined, b: 1 })).toBe('{"b": 1}');
  });
});

describe("properties", () => {
  const value = fc.jsonValue({ maxDepth: 4 });
  it("parse(canonicalize(v)) writes back to the same bytes; dumps(sort, compact) equals canonicalize", () => {
    fc.assert(
      fc.property(value, (v) => {
        const c = json.canonicalize(v);
        expect(json.canonicalize(json.parse(c))).toBe(c);
        expect(json.dumps(v, { sortKeys: true, separators: [",", ":"] })).toBe(c);
      }),
      { seed: 1201, numRuns: 400 },
    );
  });

  it("random mutations of a JSON text parse or throw a JsonInputError, nothing else", () => {
    const mutated = fc
      .tuple(
        value,
        fc.array(
          fc.tuple(fc.nat(), fc.constantFrom("{", "}", "[", "]", '"', ",", ":", "\\", "N", "-", "0")),
          { maxLength: 4 },
        ),
      )
      .map(([v, edits]) => {
        let t = JSON.stringify(v) ?? "null";
        for (const [at, ch] of edits) {
          const i = t.length === 0 ? 0 : at % t.length;
          t = t.slice(0, i) + ch + t.slice(i + 1);
        }
        return t;
      });
    fc.assert(
      fc.property(mutated, (t) => {
        try {
          json.parse(t);
        } catch (e) {
          expect(e).toBeInstanceOf(JsonInputError);
        }
      }),
      { seed: 1202, numRuns: 1000 },
    );
  });
});
