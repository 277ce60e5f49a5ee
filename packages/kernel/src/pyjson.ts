// Python-compatible JSON: a serializer that writes what CPython's `json.dumps` writes (key order,
// separators, indent, ensure_ascii, float repr) and a lossless parser that keeps number lexemes,
// so a Python-written `2.0` survives a parse/serialize round trip. Pure functions, no I/O.

import { InvalidArgumentError, JsonParseError } from "./errors.js";

/** A JSON number kept as its source lexeme (structurally the chained store's `JsonNumber`). */
export interface LosslessNumber {
  readonly kind: "json-number";
  readonly lexeme: string;
}

export function isLosslessNumber(value: unknown): value is LosslessNumber {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as { kind?: unknown }).kind === "json-number" &&
    typeof (value as { lexeme?: unknown }).lexeme === "string"
  );
}

export interface PyJsonOptions {
  /** Python `sort_keys`. Default false (insertion order). */
  sortKeys?: boolean;
  /** Python `indent` (spaces). Default none: one line. */
  indent?: number;
  /** Python `separators`. Default `[", ", ": "]`, or `[",", ": "]` with an indent. */
  separators?: readonly [string, string];
  /** Python `ensure_ascii`. Default true. */
  ensureAscii?: boolean;
}

/** `json.dumps(value, sort_keys=True, separators=(",", ":"))` — the reference's signing layout. */
export function canonicalJson(value: unknown): string {
  return pyJsonDumps(value, { sortKeys: true, separators: [",", ":"] });
}

export function pyJsonDumps(value: unknown, options: PyJsonOptions = {}): string {
  const indent = options.indent;
  const [itemSep, keySep] = options.separators ?? (indent === undefined ? [", ", ": "] : [",", ": "]);
  const ascii = options.ensureAscii ?? true;
  const sortKeys = options.sortKeys ?? false;
  const parts: string[] = [];
  const ancestors = new Set<object>();
  write(value, 0);
  return parts.join("");

  function newline(level: number): string {
    return `\n${" ".repeat((indent ?? 0) * level)}`;
  }

  function write(v: unknown, level: number): void {
    if (v === null || v === undefined) {
      parts.push("null");
    } else if (v === true) {
      parts.push("true");
    } else if (v === false) {
      parts.push("false");
    } else if (typeof v === "string") {
      parts.push(pyJsonString(v, ascii));
    } else if (typeof v === "number") {
      parts.push(Number.isInteger(v) ? BigInt(v).toString() : pyFloatRepr(v));
    } else if (typeof v === "bigint") {
      parts.push(v.toString());
    } else if (isLosslessNumber(v)) {
      parts.push(normalizeNumberLexeme(v.lexeme));
    } else if (Array.isArray(v)) {
      if (ancestors.has(v)) throw new InvalidArgumentError("Circular reference detected.");
      if (v.length === 0) {
        parts.push("[]");
        return;
      }
      parts.push("[");
      ancestors.add(v);
      v.forEach((item, i) => {
        if (i > 0) parts.push(itemSep);
        if (indent !== undefined) parts.push(newline(level + 1));
        write(item, level + 1);
      });
      ancestors.delete(v);
      if (indent !== undefined) parts.push(newline(level));
      parts.push("]");
    } else if (v instanceof Date) {
      parts.push(pyJsonString(v.toISOString(), ascii));
    } else if (typeof v === "object") {
      if (ancestors.has(v)) throw new InvalidArgumentError("Circular reference detected.");
      const entries = Object.entries(v as Record<string, unknown>).filter(
        ([, x]) => x !== undefined && typeof x !== "function",
      );
      if (sortKeys) entries.sort((a, b) => compareCodePoints(a[0], b[0]));
      if (entries.length === 0) {
        parts.push("{}");
        return;
      }
      parts.push("{");
      ancestors.add(v);
      entries.forEach(([k, x], i) => {
        if (i > 0) parts.push(itemSep);
        if (indent !== undefined) parts.push(newline(level + 1));
        parts.push(pyJsonString(k, ascii), keySep);
        write(x, level + 1);
      });
      ancestors.delete(v);
      if (indent !== undefined) parts.push(newline(level));
      parts.push("}");
    } else {
      // functions / symbols have no JSON form; Python would raise, we write null like JSON.stringify in arrays.
      parts.push("null");
    }
  }
}

/** Orders strings by Unicode code point, as Python does (JS `<` compares UTF-16 units). */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && x <= 0xdfff && y >= 0xd800 && y <= 0xdfff) return x - y;
    // A surrogate (astral code point) sorts after any BMP unit; otherwise plain unit order.
    const xs = x >= 0xd800 && x <= 0xdbff;
    const ys = y >= 0xd800 && y <= 0xdbff;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

// Strings with nothing to escape (the common case) skip the per-character loop.
// (Written as negated ranges: anything outside printable ASCII / anything below U+0020.)
const NEEDS_ESCAPE_ASCII = /["\\]|[^ -~]/;
const NEEDS_ESCAPE_UTF8 = /["\\]|[^ -\uffff]/;

function pyJsonString(s: string, ascii: boolean): string {
  if (!(ascii ? NEEDS_ESCAPE_ASCII : NEEDS_ESCAPE_UTF8).test(s)) return `"${s}"`;
  let out = '"';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let rep: string | undefined;
    if (c === 0x22) rep = '\\"';
    else if (c === 0x5c) rep = "\\\\";
    else if (c < 0x20) {
      if (c === 0x0a) rep = "\\n";
      else if (c === 0x0d) rep = "\\r";
      else if (c === 0x09) rep = "\\t";
      else if (c === 0x08) rep = "\\b";
      else if (c === 0x0c) rep = "\\f";
      else rep = `\\u${c.toString(16).padStart(4, "0")}`;
    } else if (ascii && c > 0x7e) {
      rep = `\\u${c.toString(16).padStart(4, "0")}`;
    }
    if (rep !== undefined) {
      out += s.slice(start, i) + rep;
      start = i + 1;
    }
  }
  return `${out + s.slice(start)}"`;
}

/** Python `repr(float)`: shortest round-trip digits, scientific below 1e-4 and from 1e16. */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (x === Number.POSITIVE_INFINITY) return "Infinity";
  if (x === Number.NEGATIVE_INFINITY) return "-Infinity";
  const sign = x < 0 || Object.is(x, -0) ? "-" : "";
  const [mant = "0", expText = "0"] = Math.abs(x).toExponential().split("e");
  const digits = mant.replace(".", "");
  const exp = Number(expText);
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp).toString().padStart(2, "0");
    return `${sign}${m}e${exp < 0 ? "-" : "+"}${e}`;
  }
  if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
  const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, "0");
  const frac = digits.slice(exp + 1);
  return `${sign}${intPart}.${frac.length > 0 ? frac : "0"}`;
}

/** What Python writes for a number it parsed from `lexeme`: ints exactly, floats via repr. */
function normalizeNumberLexeme(lexeme: string): string {
  if (/^-?\d+$/.test(lexeme)) return BigInt(lexeme).toString();
  return pyFloatRepr(Number(lexeme));
}

/**
 * Parses JSON keeping every number as a `LosslessNumber` (lexeme preserved), so floats such as
 * `2.0` and integers beyond 2^53 survive. Python's `NaN`/`Infinity` literals are accepted.
 */
export function parseJsonLossless(text: string): unknown {
  let i = 0;
  const fail = (what: string): never => {
    throw new JsonParseError(`Invalid JSON at offset ${i}: ${what}.`);
  };
  const ws = () => {
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else break;
    }
  };
  const value = (): unknown => {
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      const obj: Record<string, unknown> = {};
      ws();
      if (text[i] === "}") {
        i++;
        return obj;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail("expected a string key");
        const k = str();
        ws();
        if (text[i] !== ":") fail("expected ':'");
        i++;
        Object.defineProperty(obj, k, {
          value: value(),
          enumerable: true,
          writable: true,
          configurable: true,
        });
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "}") {
          i++;
          return obj;
        }
        fail("expected ',' or '}'");
      }
    }
    if (c === "[") {
      i++;
      const arr: unknown[] = [];
      ws();
      if (text[i] === "]") {
        i++;
        return arr;
      }
      for (;;) {
        arr.push(value());
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "]") {
          i++;
          return arr;
        }
        fail("expected ',' or ']'");
      }
    }
    if (c === '"') return str();
    for (const [lit, v] of LITERALS) {
      if (text.startsWith(lit, i)) {
        i += lit.length;
        return v;
      }
    }
    const m = NUMBER_RE.exec(text.slice(i, i + 400));
    if (m === null) return fail("unexpected character");
    i += m[0].length;
    return { kind: "json-number", lexeme: m[0] } satisfies LosslessNumber;
  };
  const str = (): string => {
    i++; // opening quote
    let out = "";
    let start = i;
    for (;;) {
      if (i >= text.length) fail("unterminated string");
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        out += text.slice(start, i);
        i++;
        return out;
      }
      if (c === 0x5c) {
        out += text.slice(start, i);
        const e = text[i + 1];
        if (e === "u") {
          const hex = text.slice(i + 2, i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail("bad \\u escape");
          out += String.fromCharCode(Number.parseInt(hex, 16));
          i += 6;
        } else {
          const rep = e === undefined ? undefined : ESCAPES[e];
          if (rep === undefined) fail("bad escape");
          out += rep;
          i += 2;
        }
        start = i;
        continue;
      }
      if (c < 0x20) fail("control character in string");
      i++;
    }
  };
  const result = value();
  ws();
  if (i !== text.length) fail("trailing data");
  return result;
}

const NUMBER_RE = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/;
const LITERALS: ReadonlyArray<readonly [string, unknown]> = [
  ["null", null],
  ["true", true],
  ["false", false],
  ["NaN", { kind: "json-number", lexeme: "NaN" }],
  ["Infinity", { kind: "json-number", lexeme: "Infinity" }],
  ["-Infinity", { kind: "json-number", lexeme: "-Infinity" }],
];
const ESCAPES: Record<string, string> = {
  '"': '"',
  "\\": "\\",
  "/": "/",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
};

/** Python `repr()` of a string: single quotes unless the text holds one and no double quote. */
export function pyStrRepr(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = "";
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === "\\") out += "\\\\";
    else if (ch === q) out += `\\${q}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return q + out + q;
}

/** Python `repr()` of a list of strings, e.g. `['reader', 'writer']`. */
export function pyStrListRepr(items: readonly string[]): string {
  return `[${items.map(pyStrRepr).join(", ")}]`;
}

/** `'text'` — the reference's messages quote ids literally (f"'{id}'"), not with repr(). */
export function quoted(s: string): string {
  return `'${s}'`;
}
