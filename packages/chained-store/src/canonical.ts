// Canonical JSON, byte-identical to Python's
// `json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=True)`: the exact bytes the
// chain HMACs. Pure, no I/O. Hot path of every append, so it builds one string without copies.

import { InvalidArgumentError } from "./errors.js";
import { formatPythonFloat } from "./python-float.js";

const NEEDS_ESCAPE = /["\\\u0000-\u001f\u007f-\uffff]/;
const HAS_SURROGATE = /[\ud800-\udfff]/;
const CANONICAL_INT = /^(?:0|-?[1-9]\d*)$/;
const INT_LEXEME = /^-?\d+$/;
const HEX = "0123456789abcdef";

/** Serializes a JSON value canonically. JS integers are ints, other numbers Python floats; JsonNumber and bigint stay exact. */
export function canonicalize(value: unknown): string {
  return write(value, "$");
}

/** A string literal with Python's ensure_ascii escaping (lowercase `\uXXXX`, surrogate pairs). */
export function canonicalString(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return `"${s}"`;
  let out = '"';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c <= 0x7e && c !== 0x22 && c !== 0x5c) continue;
    if (i > start) out += s.slice(start, i);
    start = i + 1;
    switch (c) {
      case 0x22:
        out += '\\"';
        break;
      case 0x5c:
        out += "\\\\";
        break;
      case 0x0a:
        out += "\\n";
        break;
      case 0x0d:
        out += "\\r";
        break;
      case 0x09:
        out += "\\t";
        break;
      case 0x08:
        out += "\\b";
        break;
      case 0x0c:
        out += "\\f";
        break;
      default:
        out += `\\u${HEX[(c >> 12) & 15]}${HEX[(c >> 8) & 15]}${HEX[(c >> 4) & 15]}${HEX[c & 15]}`;
    }
  }
  if (start < s.length) out += s.slice(start);
  return `${out}"`;
}

/** Canonical text of a number: integral JS numbers as Python ints, others in Python float repr. */
export function canonicalNumber(n: number): string {
  if (Number.isInteger(n)) return Number.isSafeInteger(n) ? String(n) : BigInt(n).toString();
  return formatPythonFloat(n);
}

/** Canonical text of a number lexeme: what Python's json.loads → json.dumps makes of it. */
export function canonicalLexeme(lexeme: string): string {
  if (CANONICAL_INT.test(lexeme)) return lexeme;
  if (INT_LEXEME.test(lexeme)) return BigInt(lexeme).toString(); // "-0" → "0", as Python's int does
  const n = Number(lexeme);
  if (Number.isNaN(n) && lexeme !== "NaN") {
    throw new InvalidArgumentError(`not a JSON number lexeme: ${JSON.stringify(lexeme.slice(0, 40))}`);
  }
  return formatPythonFloat(n);
}

function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done) return y.done ? 0 : -1;
    if (y.done) return 1;
    const d = (x.value.codePointAt(0) as number) - (y.value.codePointAt(0) as number);
    if (d !== 0) return d;
  }
}

function sortedKeys(obj: object): string[] {
  const keys = Object.keys(obj);
  if (keys.length < 2) return keys;
  keys.sort();
  // UTF-16 order differs from code point order only between surrogates and U+E000–U+FFFF.
  for (const k of keys) {
    if (HAS_SURROGATE.test(k)) return keys.sort(compareCodePoints);
  }
  return keys;
}

function write(value: unknown, path: string): string {
  switch (typeof value) {
    case "string":
      return canonicalString(value);
    case "number":
      return canonicalNumber(value);
    case "boolean":
      return value ? "true" : "false";
    case "bigint":
      return value.toString();
    case "object": {
      if (value === null) return "null";
      if (Array.isArray(value)) {
        if (value.length === 0) return "[]";
        let out = "[";
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ",";
          const item: unknown = value[i];
          if (item === undefined) throw notJson(`${path}[${i}]`, "undefined");
          out += write(item, path);
        }
        return `${out}]`;
      }
      const rec = value as Record<string, unknown>;
      if (rec["kind"] === "json-number" && typeof rec["lexeme"] === "string") {
        return canonicalLexeme(rec["lexeme"]);
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) {
        throw notJson(path, (value as object).constructor?.name ?? "object");
      }
      let out = "{";
      let first = true;
      for (const key of sortedKeys(rec)) {
        const v = rec[key];
        if (v === undefined) continue; // like JSON.stringify: an absent value is an absent key
        if (!first) out += ",";
        first = false;
        out += `${canonicalString(key)}:${write(v, path)}`;
      }
      return `${out}}`;
    }
    default:
      throw notJson(path, typeof value);
  }
}

function notJson(path: string, what: string): InvalidArgumentError {
  return new InvalidArgumentError(`value at ${path} is not JSON-serializable (${what})`);
}
