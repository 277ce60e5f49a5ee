// Canonical JSON, byte-identical to Python's
// `json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=True)`: the exact bytes the
// chain HMACs. Pure, no I/O. Hot path of every append, so it builds one string without copies.

import { InvalidArgumentError } from "./errors.js";
import { formatPythonFloat } from "./python-float.js";

const HAS_SURROGATE = /[\ud800-\udfff]/;
const CANONICAL_INT = /^(?:0|-?[1-9]\d*)$/;
const INT_LEXEME = /^-?\d+$/;
const HEX = "0123456789abcdef";

/** Serializes a JSON value canonically. JS integers are ints, other numbers Python floats; JsonNumber and bigint stay exact. */
export function canonicalize(value: unknown): string {
  return write(value, "$");
}

/** Scratch for `flatAscii`; dropped back to this size after a larger record. */
const FLAT_SCRATCH = 64 * 1024;
let flatScratch = Buffer.allocUnsafe(FLAT_SCRATCH);

/**
 * The same ASCII text as one sequential string. A canonicalizer's output is a rope of many small
 * pieces; a batch holding hundreds of those until they are hashed costs more in garbage collection
 * than the serialization itself, and a flat string is also what SQLite binds fastest. Only for
 * canonical output (ASCII by construction): latin1 would mangle anything above U+00FF.
 */
export function flatAscii(text: string): string {
  if (text.length > flatScratch.length) flatScratch = Buffer.allocUnsafe(text.length);
  const n = flatScratch.write(text, 0, "latin1");
  const flat = flatScratch.toString("latin1", 0, n);
  if (flatScratch.length > FLAT_SCRATCH) flatScratch = Buffer.allocUnsafe(FLAT_SCRATCH);
  return flat;
}

/** A string literal with Python's ensure_ascii escaping (lowercase `\uXXXX`, surrogate pairs). */
export function canonicalString(s: string): string {
  if (isPlainAscii(s)) return `"${s}"`;
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

/** Printable ASCII without `"` and `\\`: the strings canonical JSON emits unchanged. */
const PLAIN_ASCII = /^[ !#-[\]-~]*$/;

/** True when the string needs no escaping. One compiled regex test beats a JS charCode loop. */
export function isPlainAscii(s: string): boolean {
  return PLAIN_ASCII.test(s);
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

/**
 * Objects of one shape (same keys in the same insertion order) recur on the hot path — every
 * span record has the same layout — so the sorted order and the escaped `"key":` prefixes are
 * computed once per shape. Looked up by first key (property names are interned, so this is a
 * cheap hash) and confirmed key by key. Bounded: cleared past MAX_SHAPES.
 */
export interface Shape {
  own: string[];
  keys: string[];
  prefixes: string[];
  /** Set by span-canonical: a plain object built in `keys` order enumerates in that order. */
  rebuildable?: boolean;
  /** Set by span-canonical: the object already enumerates its keys in canonical order. */
  sorted?: boolean;
}
const MAX_SHAPES = 1024;
const PER_FIRST_KEY = 8;
const shapes = new Map<string, Shape[]>();
let shapeCount = 0;
const EMPTY: Shape = { own: [], keys: [], prefixes: [] };

function sameKeys(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Sorted keys and their `"key":` prefixes (comma included for i > 0) of one object shape. */
export function shapeOf(obj: object): Shape {
  const own = Object.keys(obj);
  if (own.length === 0) return EMPTY;
  const first = own[0]!;
  const list = shapes.get(first);
  if (list !== undefined) {
    for (const shape of list) if (sameKeys(shape.own, own)) return shape;
  }
  const keys = own.slice().sort();
  // UTF-16 order differs from code point order only between surrogates and U+E000–U+FFFF.
  if (keys.some((k) => HAS_SURROGATE.test(k))) keys.sort(compareCodePoints);
  const shape = { own, keys, prefixes: keys.map((k, i) => `${i === 0 ? "" : ","}${canonicalString(k)}:`) };
  if (shapeCount >= MAX_SHAPES) {
    shapes.clear();
    shapeCount = 0;
  }
  if (list === undefined || !shapes.has(first)) shapes.set(first, [shape]);
  else if (list.length < PER_FIRST_KEY) list.push(shape);
  shapeCount++;
  return shape;
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
      const { keys, prefixes } = shapeOf(rec);
      let out = "{";
      let first = true;
      for (let i = 0; i < keys.length; i++) {
        const v = rec[keys[i]!];
        if (v === undefined) continue; // like JSON.stringify: an absent value is an absent key
        // prefixes[i] carries the comma for i > 0; drop it when earlier keys were all absent.
        out += first && i > 0 ? prefixes[i]!.slice(1) : prefixes[i]!;
        first = false;
        out += write(v, path);
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
