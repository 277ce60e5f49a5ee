// The canonical writer: byte-identical to Python's
// `json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=True)`, the exact bytes the
// chain and the tokens HMAC. Strict: a value with no JSON form is an error, never converted,
// because two writers that convert differently would sign different bytes for the same call.

import { JsonValueError } from "../errors.js";
import { LosslessNumber } from "./number.js";
import { isPlainAscii, lexemeText, numberText, quoteString } from "./strings.js";

/**
 * Nesting limit of every reader and writer here. CPython's json gives up near its default
 * recursion limit (1000), so the reference can neither write nor read deeper values; the limit
 * is checked before each level is entered, so hostile depth is a typed error, never a stack overflow.
 */
export const MAX_DEPTH = 1000;

const HAS_SURROGATE = /[\ud800-\udfff]/;

/**
 * Serializes a JSON value canonically. Integral JS numbers are ints, other numbers Python floats;
 * `LosslessNumber` and bigint stay exact; object properties whose value is `undefined` are absent
 * (as with `JSON.stringify`). Throws `JsonValueError` for anything else: `undefined` in an array
 * or at the top, functions, symbols, Dates, Maps, class instances, cycles, nesting beyond MAX_DEPTH.
 */
export function canonicalize(value: unknown): string {
  try {
    return write(value, 0);
  } catch (err) {
    if (err instanceof NonJsonAt) throw new JsonValueError(pathOf(err.trail), err.what);
    throw err;
  }
}

/** Scratch for `flatAscii`; dropped back to this size after a larger record. */
const FLAT_SCRATCH = 64 * 1024;
let flatScratch = Buffer.allocUnsafe(FLAT_SCRATCH);

/**
 * The same ASCII text as one sequential string (see docs/performance.md: a rope of many small
 * pieces costs more in GC than serializing). Only for canonical (ASCII) output.
 */
export function flatAscii(text: string): string {
  if (text.length > flatScratch.length) flatScratch = Buffer.allocUnsafe(text.length);
  const n = flatScratch.write(text, 0, "latin1");
  const flat = flatScratch.toString("latin1", 0, n);
  if (flatScratch.length > FLAT_SCRATCH) flatScratch = Buffer.allocUnsafe(FLAT_SCRATCH);
  return flat;
}

/**
 * The sorted keys and escaped `"key":` prefixes of one object shape (same keys, same insertion
 * order). Shapes recur on the hot path, so they are computed once; bounded cache.
 */
export interface Shape {
  own: string[];
  keys: string[];
  prefixes: string[];
  /** Set by a specialised serializer: a plain object built in `keys` order enumerates in that order. */
  rebuildable?: boolean;
  /** Set by a specialised serializer: the object already enumerates its keys in canonical order. */
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

function codePointOrder(a: string, b: string): number {
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

/** Sorted keys and their `"key":` prefixes (comma included for i > 0) of one object's shape. */
export function shapeOf(obj: object): Shape {
  const own = Object.keys(obj);
  if (own.length === 0) return EMPTY;
  const first = own[0] as string;
  const list = shapes.get(first);
  if (list !== undefined) {
    for (const shape of list) if (sameKeys(shape.own, own)) return shape;
  }
  const keys = own.slice().sort();
  // UTF-16 order differs from code point order only between surrogates and U+E000–U+FFFF.
  if (keys.some((k) => HAS_SURROGATE.test(k))) keys.sort(codePointOrder);
  const shape = { own, keys, prefixes: keys.map((k, i) => `${i === 0 ? "" : ","}${quoteString(k)}:`) };
  if (shapeCount >= MAX_SHAPES) {
    shapes.clear();
    shapeCount = 0;
  }
  if (list === undefined || !shapes.has(first)) shapes.set(first, [shape]);
  else if (list.length < PER_FIRST_KEY) list.push(shape);
  shapeCount++;
  return shape;
}

/** A plain data object: `{}`-literal or null-prototype (what the parser and record builders make). */
export function isPlainRecord(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Names the kind of a non-JSON value for an error message (never its content: it may be secret). */
export function describeNonJson(value: unknown): string {
  if (value === undefined) return "undefined";
  if (typeof value !== "object" || value === null) return typeof value;
  return (value as { constructor?: { name?: unknown } }).constructor?.name === undefined
    ? "object"
    : String((value as { constructor: { name: unknown } }).constructor.name);
}

/** Thrown inside the writer; the unwinding levels prepend their key, the entry point names the path. */
export class NonJsonAt extends Error {
  readonly trail: Array<string | number> = [];
  constructor(readonly what: string) {
    super(what);
  }
}

/** `$.a[0]["k y"]` from the keys collected while unwinding. */
export function pathOf(trail: ReadonlyArray<string | number>): string {
  let p = "$";
  // A path through a cycle or hostile depth is bounded: its start, then the depth reached.
  const shown = Math.max(0, trail.length - 16);
  for (let i = trail.length - 1; i >= shown; i--) {
    const k = trail[i] as string | number;
    p +=
      typeof k === "number"
        ? `[${k}]`
        : /^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(k)
          ? `.${k}`
          : `[${quoteString(k.length > 64 ? `${k.slice(0, 64)}…` : k)}]`;
  }
  return shown > 0 ? `${p}… (${trail.length} levels)` : p;
}

// No path strings on the hot path: a failure unwinds through the levels, each adding its key.
function write(value: unknown, depth: number): string {
  switch (typeof value) {
    case "string":
      return isPlainAscii(value) ? `"${value}"` : quoteString(value);
    case "number":
      return numberText(value);
    case "boolean":
      return value ? "true" : "false";
    case "bigint":
      return value.toString();
    case "object": {
      if (value === null) return "null";
      if (depth >= MAX_DEPTH) throw new NonJsonAt(`nested deeper than ${MAX_DEPTH} levels, or circular`);
      if (Array.isArray(value)) {
        if (value.length === 0) return "[]";
        let out = "[";
        let i = 0;
        try {
          for (; i < value.length; i++) {
            if (i > 0) out += ",";
            const item: unknown = value[i];
            if (item === undefined) throw new NonJsonAt("undefined");
            out += write(item, depth + 1);
          }
        } catch (err) {
          if (err instanceof NonJsonAt) err.trail.push(i);
          throw err;
        }
        return `${out}]`;
      }
      if (value instanceof LosslessNumber) return lexemeText(value.lexeme);
      if (!isPlainRecord(value)) throw new NonJsonAt(describeNonJson(value));
      const rec = value as Record<string, unknown>;
      const { keys, prefixes } = shapeOf(rec);
      let out = "{";
      let first = true;
      let i = 0;
      try {
        for (; i < keys.length; i++) {
          const v = rec[keys[i] as string];
          if (v === undefined) continue; // like JSON.stringify: an absent value is an absent key
          // prefixes[i] carries the comma for i > 0; drop it when earlier keys were all absent.
          out += first && i > 0 ? (prefixes[i] as string).slice(1) : (prefixes[i] as string);
          first = false;
          out += write(v, depth + 1);
        }
      } catch (err) {
        if (err instanceof NonJsonAt) err.trail.push(keys[i] as string);
        throw err;
      }
      return `${out}}`;
    }
    default:
      throw new NonJsonAt(describeNonJson(value));
  }
}

/**
 * Throws the JsonValueError `canonicalize` would throw, without building the text: for checking
 * input up front (the kernel checks invoke args before any driver runs, so an executed call can
 * always be recorded).
 */
export function check(value: unknown): void {
  try {
    checkValue(value, 0);
  } catch (err) {
    if (err instanceof NonJsonAt) throw new JsonValueError(pathOf(err.trail), err.what);
    throw err;
  }
}

function checkValue(value: unknown, depth: number): void {
  switch (typeof value) {
    case "string":
    case "number":
    case "boolean":
    case "bigint":
      return;
    case "object": {
      if (value === null || value instanceof LosslessNumber) return;
      if (depth >= MAX_DEPTH) throw new NonJsonAt(`nested deeper than ${MAX_DEPTH} levels, or circular`);
      if (Array.isArray(value)) {
        let i = 0;
        try {
          for (; i < value.length; i++) {
            const item: unknown = value[i];
            if (item === undefined) throw new NonJsonAt("undefined");
            checkValue(item, depth + 1);
          }
        } catch (err) {
          if (err instanceof NonJsonAt) err.trail.push(i);
          throw err;
        }
        return;
      }
      if (!isPlainRecord(value)) throw new NonJsonAt(describeNonJson(value));
      let key = "";
      try {
        for (const k of Object.keys(value)) {
          key = k;
          const v = (value as Record<string, unknown>)[k];
          if (v !== undefined) checkValue(v, depth + 1);
        }
      } catch (err) {
        if (err instanceof NonJsonAt) err.trail.push(key);
        throw err;
      }
      return;
    }
    default:
      throw new NonJsonAt(describeNonJson(value));
  }
}
