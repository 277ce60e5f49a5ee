// Canonical JSON of a `weft.span.v1` record, specialized for its known shape. The record is
// rebuilt with every key in canonical (sorted) order — fixed members in a constant order, attribute
// maps sorted once per shape — and handed to the engine's native JSON.stringify, which already
// escapes `"`, `\`, and controls exactly as Python does and emits one flat string. What differs
// from Python is handled around it: non-ASCII is escaped afterwards (one regex test on the output
// is the ASCII fast path), and numbers whose JS text differs from Python's repr (unsafe ints,
// exponent forms, NaN/Infinity) leave the fast path. Anything off the shape — an extra or missing
// key, an unexpected type, a JsonNumber, a key the engine would reorder — goes to the generic
// `canonicalize`, whose bytes this must equal (property-tested in test/fast-canonical.test.ts).

import { json } from "@weft/wire";
import type { SpanRecordV1 } from "./types.js";

/** Top-level keys in the order the span processor builds them (the usual insertion order). */
const SPAN_KEYS = [
  "schema",
  "trace_id",
  "span_id",
  "parent_span_id",
  "trace_state",
  "name",
  "kind",
  "start_time_unix_nano",
  "end_time_unix_nano",
  "duration_nano",
  "status",
  "attributes",
  "events",
  "links",
  "resource",
  "scope",
  "sampled",
  "dropped",
  "redacted",
] as const;
const STATUS_KEYS = ["code", "message"] as const;
const EVENT_KEYS = ["name", "time_unix_nano", "attributes", "dropped_attributes_count"] as const;
const LINK_KEYS = ["trace_id", "span_id", "trace_state", "attributes", "dropped_attributes_count"] as const;
const RESOURCE_KEYS = ["attributes", "schema_url"] as const;
const SCOPE_KEYS = ["name", "version", "schema_url"] as const;
const DROPPED_KEYS = ["attributes", "events", "links"] as const;

/** Everything ensure_ascii escapes that JSON.stringify leaves as is (lone surrogates it escapes itself). */
const NON_ASCII_ALL = /[\u007f-\uffff]/g;
/** Keys an object literal would not keep in insertion order (array indices) or would not keep at all. */
const REORDERED_KEY = /^(?:0|[1-9]\d{0,9})$|^__proto__$/;

/** Thrown inside the fast path when the record is off its shape; never escapes this module. */
const OFF: unique symbol = Symbol("off-shape");

/** Canonical text of a span record; byte-identical to `canonicalize(record)`. */
export function canonicalSpanRecord(record: SpanRecordV1): string {
  return fastSpan(record) ?? json.canonicalize(record);
}

/** The fast path alone: canonical text, or null when the record is off the known shape (tests use this). */
export function fastSpan(record: unknown): string | null {
  let rebuilt: unknown;
  try {
    rebuilt = rebuildSpan(record);
  } catch (e) {
    if (e === OFF) return null;
    throw e;
  }
  const json = JSON.stringify(rebuilt);
  return isAsciiWithoutDel(json) ? json : json.replace(NON_ASCII_ALL, escapeUnit);
}

/**
 * The ASCII fast path: no DEL, and UTF-8 length equal to UTF-16 length (any unit above 0x7F,
 * surrogate pairs included, takes more bytes). Both are native scans, several times faster than a
 * regex over a kilobyte of output.
 */
function isAsciiWithoutDel(s: string): boolean {
  return s.indexOf("\u007f") === -1 && Buffer.byteLength(s, "utf8") === s.length;
}

function escapeUnit(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

/**
 * Own keys exactly `keys` on a plain object. The usual case (same insertion order) is a pointer
 * compare per key; another order is checked with hasOwn.
 */
function exact(obj: unknown, keys: readonly string[]): Record<string, unknown> {
  if (typeof obj !== "object" || obj === null || Array.isArray(obj)) throw OFF;
  const proto = Object.getPrototypeOf(obj);
  if (proto !== Object.prototype && proto !== null) throw OFF;
  const own = Object.keys(obj);
  if (own.length !== keys.length) throw OFF;
  let i = 0;
  while (i < keys.length && own[i] === keys[i]) i++;
  if (i < keys.length) for (const k of keys) if (!Object.hasOwn(obj, k)) throw OFF;
  return obj as Record<string, unknown>;
}

function str(v: unknown): string {
  if (typeof v !== "string") throw OFF;
  return v;
}

function strOrNull(v: unknown): string | null {
  return v === null ? null : str(v);
}

/**
 * A number whose JS text equals its canonical text: safe integers (Python int layout), and
 * non-integers of magnitude >= 1e-4, where both languages print the same shortest digits in
 * positional form (non-integers are all below 2^53 < 1e16, Python's exponent threshold).
 */
function num(v: unknown): number {
  if (typeof v !== "number") throw OFF;
  if (Number.isSafeInteger(v)) return v;
  if (Number.isFinite(v) && !Number.isInteger(v) && Math.abs(v) >= 1e-4) return v;
  throw OFF;
}

function scalar(v: unknown): string | number | boolean | null {
  switch (typeof v) {
    case "string":
    case "boolean":
      return v;
    case "number":
      return num(v);
    default:
      if (v === null) return null;
      throw OFF;
  }
}

/** An OTel attribute value: a scalar or an array of scalars (nulls allowed inside arrays). */
function attributeValue(v: unknown): unknown {
  if (!Array.isArray(v)) {
    if (v === null) throw OFF;
    return scalar(v);
  }
  for (let i = 0; i < v.length; i++) scalar(v[i]); // also rejects holes (undefined)
  return v;
}

function isRebuildable(shape: json.Shape): boolean {
  if (shape.rebuildable === undefined) shape.rebuildable = !shape.keys.some((k) => REORDERED_KEY.test(k));
  return shape.rebuildable;
}

function isSorted(shape: json.Shape): boolean {
  if (shape.sorted === undefined) shape.sorted = shape.own.every((k, i) => k === shape.keys[i]);
  return shape.sorted;
}

/**
 * An attribute map in code-point key order (the shared shape cache sorts once per shape): the map
 * itself when it already enumerates in that order (JSON.stringify walks the same order as
 * Object.keys), else a copy built in that order.
 */
function attributes(map: unknown): Record<string, unknown> {
  if (typeof map !== "object" || map === null || Array.isArray(map)) throw OFF;
  const proto = Object.getPrototypeOf(map);
  if (proto !== Object.prototype && proto !== null) throw OFF;
  const rec = map as Record<string, unknown>;
  const shape = json.shapeOf(rec);
  const keys = shape.keys;
  if (isSorted(shape)) {
    for (let i = 0; i < keys.length; i++) attributeValue(rec[keys[i]!]); // validate only
    return rec;
  }
  if (!isRebuildable(shape)) throw OFF;
  const out: Record<string, unknown> = {};
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    json.setKey(out, k, attributeValue(rec[k])); // undefined (omitted by the generic writer) throws OFF
  }
  return out;
}

function strings(v: unknown): string[] {
  if (!Array.isArray(v)) throw OFF;
  for (let i = 0; i < v.length; i++) str(v[i]);
  return v as string[];
}

function events(v: unknown): unknown[] {
  if (!Array.isArray(v)) throw OFF;
  const out: unknown[] = new Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const e = exact(v[i], EVENT_KEYS);
    out[i] = {
      attributes: attributes(e["attributes"]),
      dropped_attributes_count: num(e["dropped_attributes_count"]),
      name: str(e["name"]),
      time_unix_nano: str(e["time_unix_nano"]),
    };
  }
  return out;
}

function links(v: unknown): unknown[] {
  if (!Array.isArray(v)) throw OFF;
  const out: unknown[] = new Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const l = exact(v[i], LINK_KEYS);
    out[i] = {
      attributes: attributes(l["attributes"]),
      dropped_attributes_count: num(l["dropped_attributes_count"]),
      span_id: str(l["span_id"]),
      trace_id: str(l["trace_id"]),
      trace_state: strOrNull(l["trace_state"]),
    };
  }
  return out;
}

/** The record with every key in canonical order (object literals keep their insertion order). */
function rebuildSpan(record: unknown): unknown {
  const r = exact(record, SPAN_KEYS);
  const status = exact(r["status"], STATUS_KEYS);
  const resource = exact(r["resource"], RESOURCE_KEYS);
  const scope = exact(r["scope"], SCOPE_KEYS);
  const dropped = exact(r["dropped"], DROPPED_KEYS);
  const sampled = r["sampled"];
  if (typeof sampled !== "boolean") throw OFF;
  return {
    attributes: attributes(r["attributes"]),
    dropped: {
      attributes: num(dropped["attributes"]),
      events: num(dropped["events"]),
      links: num(dropped["links"]),
    },
    duration_nano: str(r["duration_nano"]),
    end_time_unix_nano: str(r["end_time_unix_nano"]),
    events: events(r["events"]),
    kind: str(r["kind"]),
    links: links(r["links"]),
    name: str(r["name"]),
    parent_span_id: strOrNull(r["parent_span_id"]),
    redacted: strings(r["redacted"]),
    resource: {
      attributes: attributes(resource["attributes"]),
      schema_url: strOrNull(resource["schema_url"]),
    },
    sampled,
    schema: str(r["schema"]),
    scope: {
      name: str(scope["name"]),
      schema_url: strOrNull(scope["schema_url"]),
      version: strOrNull(scope["version"]),
    },
    span_id: str(r["span_id"]),
    start_time_unix_nano: str(r["start_time_unix_nano"]),
    status: { code: str(status["code"]), message: strOrNull(status["message"]) },
    trace_id: str(r["trace_id"]),
    trace_state: strOrNull(r["trace_state"]),
  };
}
