// Canonical JSON of a `weft.span.v1` record, specialized for its known shape: the key order is
// fixed, so it is emitted as constant fragments and only the dynamic parts (strings, attribute
// maps) are escaped and sorted at run time. Anything off the shape — an extra or missing key, an
// unexpected type, a JsonNumber — goes to the generic `canonicalize`, whose bytes this must equal
// (property-tested in test/fast-canonical.test.ts).

import { canonicalize, canonicalNumber, canonicalString, isPlainAscii, shapeOf } from "./canonical.js";
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

/** Returned by the pieces below when the value is off the fast shape: the caller falls back. */
const OFF = null;
type Piece = string | typeof OFF;

/** Canonical text of a span record; byte-identical to `canonicalize(record)`. */
export function canonicalSpanRecord(record: SpanRecordV1): string {
  return fastSpan(record) ?? canonicalize(record);
}

/**
 * True when `obj` is a plain object whose own keys are exactly `keys`. The usual case (same
 * insertion order) is a pointer compare per key; another order is checked with hasOwn.
 */
function hasExactKeys(obj: unknown, keys: readonly string[]): obj is Record<string, unknown> {
  if (typeof obj !== "object" || obj === null || Array.isArray(obj)) return false;
  const proto = Object.getPrototypeOf(obj);
  if (proto !== Object.prototype && proto !== null) return false;
  const own = Object.keys(obj);
  if (own.length !== keys.length) return false;
  let i = 0;
  while (i < keys.length && own[i] === keys[i]) i++;
  if (i === keys.length) return true;
  for (const k of keys) if (!Object.hasOwn(obj, k)) return false;
  return true;
}

function str(v: unknown): Piece {
  if (typeof v !== "string") return OFF;
  return isPlainAscii(v) ? `"${v}"` : canonicalString(v);
}

function strOrNull(v: unknown): Piece {
  return v === null ? "null" : str(v);
}

/** JS numbers only (JsonNumber / bigint leave the fast path). */
function num(v: unknown): Piece {
  return typeof v === "number" ? canonicalNumber(v) : OFF;
}

function scalar(v: unknown): Piece {
  switch (typeof v) {
    case "string":
      return isPlainAscii(v) ? `"${v}"` : canonicalString(v);
    case "number":
      return canonicalNumber(v);
    case "boolean":
      return v ? "true" : "false";
    default:
      return v === null ? "null" : OFF;
  }
}

/** An OTel attribute value: a scalar or a homogeneous-ish array of scalars (nulls allowed). */
function attributeValue(v: unknown): Piece {
  if (!Array.isArray(v)) return v === null ? OFF : scalar(v);
  if (v.length === 0) return "[]";
  let out = "[";
  for (let i = 0; i < v.length; i++) {
    const p = scalar(v[i]);
    if (p === OFF) return OFF;
    out += i === 0 ? p : `,${p}`;
  }
  return `${out}]`;
}

/** An attribute map: arbitrary keys, sorted through the shared shape cache. */
function attributes(map: unknown): Piece {
  if (typeof map !== "object" || map === null || Array.isArray(map)) return OFF;
  const proto = Object.getPrototypeOf(map);
  if (proto !== Object.prototype && proto !== null) return OFF;
  const rec = map as Record<string, unknown>;
  if (rec["kind"] === "json-number") return OFF; // the generic writer reads that as a number
  const { keys, prefixes } = shapeOf(rec);
  if (keys.length === 0) return "{}";
  let out = "{";
  for (let i = 0; i < keys.length; i++) {
    const p = attributeValue(rec[keys[i]!]);
    if (p === OFF) return OFF; // includes undefined values, which the generic writer omits
    out += prefixes[i]!;
    out += p;
  }
  return `${out}}`;
}

function strings(v: unknown): Piece {
  if (!Array.isArray(v)) return OFF;
  if (v.length === 0) return "[]";
  let out = "[";
  for (let i = 0; i < v.length; i++) {
    const p = str(v[i]);
    if (p === OFF) return OFF;
    out += i === 0 ? p : `,${p}`;
  }
  return `${out}]`;
}

function events(v: unknown): Piece {
  if (!Array.isArray(v)) return OFF;
  if (v.length === 0) return "[]";
  let out = "[";
  for (let i = 0; i < v.length; i++) {
    const e: unknown = v[i];
    if (!hasExactKeys(e, EVENT_KEYS)) return OFF;
    const a = attributes(e["attributes"]);
    const d = num(e["dropped_attributes_count"]);
    const n = str(e["name"]);
    const t = str(e["time_unix_nano"]);
    if (a === OFF || d === OFF || n === OFF || t === OFF) return OFF;
    out += `${i === 0 ? "" : ","}{"attributes":${a},"dropped_attributes_count":${d},"name":${n},"time_unix_nano":${t}}`;
  }
  return `${out}]`;
}

function links(v: unknown): Piece {
  if (!Array.isArray(v)) return OFF;
  if (v.length === 0) return "[]";
  let out = "[";
  for (let i = 0; i < v.length; i++) {
    const l: unknown = v[i];
    if (!hasExactKeys(l, LINK_KEYS)) return OFF;
    const a = attributes(l["attributes"]);
    const d = num(l["dropped_attributes_count"]);
    const s = str(l["span_id"]);
    const t = str(l["trace_id"]);
    const ts = strOrNull(l["trace_state"]);
    if (a === OFF || d === OFF || s === OFF || t === OFF || ts === OFF) return OFF;
    out += `${i === 0 ? "" : ","}{"attributes":${a},"dropped_attributes_count":${d},"span_id":${s},"trace_id":${t},"trace_state":${ts}}`;
  }
  return `${out}]`;
}

/** The fast path alone: canonical text, or null when the record is off the known shape (tests use this). */
export function fastSpan(r: unknown): Piece {
  if (!hasExactKeys(r, SPAN_KEYS)) return OFF;
  const status = r["status"];
  const resource = r["resource"];
  const scope = r["scope"];
  const dropped = r["dropped"];
  if (
    !hasExactKeys(status, STATUS_KEYS) ||
    !hasExactKeys(resource, RESOURCE_KEYS) ||
    !hasExactKeys(scope, SCOPE_KEYS) ||
    !hasExactKeys(dropped, DROPPED_KEYS)
  ) {
    return OFF;
  }
  const sampled = r["sampled"];
  if (typeof sampled !== "boolean") return OFF;
  // Pieces in canonical (sorted) key order; each is checked before anything is joined.
  const attrs = attributes(r["attributes"]);
  const dAttrs = num(dropped["attributes"]);
  const dEvents = num(dropped["events"]);
  const dLinks = num(dropped["links"]);
  const duration = str(r["duration_nano"]);
  const end = str(r["end_time_unix_nano"]);
  const evs = events(r["events"]);
  const kind = str(r["kind"]);
  const lks = links(r["links"]);
  const name = str(r["name"]);
  const parent = strOrNull(r["parent_span_id"]);
  const redacted = strings(r["redacted"]);
  const resAttrs = attributes(resource["attributes"]);
  const resSchema = strOrNull(resource["schema_url"]);
  const schema = str(r["schema"]);
  const scopeName = str(scope["name"]);
  const scopeSchema = strOrNull(scope["schema_url"]);
  const scopeVersion = strOrNull(scope["version"]);
  const spanId = str(r["span_id"]);
  const start = str(r["start_time_unix_nano"]);
  const code = str(status["code"]);
  const message = strOrNull(status["message"]);
  const traceId = str(r["trace_id"]);
  const traceState = strOrNull(r["trace_state"]);
  if (
    attrs === OFF ||
    dAttrs === OFF ||
    dEvents === OFF ||
    dLinks === OFF ||
    duration === OFF ||
    end === OFF ||
    evs === OFF ||
    kind === OFF ||
    lks === OFF ||
    name === OFF ||
    parent === OFF ||
    redacted === OFF ||
    resAttrs === OFF ||
    resSchema === OFF ||
    schema === OFF ||
    scopeName === OFF ||
    scopeSchema === OFF ||
    scopeVersion === OFF ||
    spanId === OFF ||
    start === OFF ||
    code === OFF ||
    message === OFF ||
    traceId === OFF ||
    traceState === OFF
  ) {
    return OFF;
  }
  return (
    `{"attributes":${attrs},"dropped":{"attributes":${dAttrs},"events":${dEvents},"links":${dLinks}}` +
    `,"duration_nano":${duration},"end_time_unix_nano":${end},"events":${evs},"kind":${kind}` +
    `,"links":${lks},"name":${name},"parent_span_id":${parent},"redacted":${redacted}` +
    `,"resource":{"attributes":${resAttrs},"schema_url":${resSchema}},"sampled":${sampled ? "true" : "false"}` +
    `,"schema":${schema},"scope":{"name":${scopeName},"schema_url":${scopeSchema},"version":${scopeVersion}}` +
    `,"span_id":${spanId},"start_time_unix_nano":${start},"status":{"code":${code},"message":${message}}` +
    `,"trace_id":${traceId},"trace_state":${traceState}}`
  );
}
