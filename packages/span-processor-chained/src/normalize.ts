// Turns an ended SDK span into a `weft.span.v1` record: plain JSON, integer-nanosecond strings for
// times, redaction applied (and listed) before the store canonicalizes and hashes the record.

import type { Attributes } from "@opentelemetry/api";
import type { SpanAttributes, SpanAttributeValue, SpanRecordV1 } from "@weft/chained-store";
import { SCHEMA_WEFT_SPAN_V1 } from "@weft/semconv";
import type { Redactor } from "./redaction.js";
import type { ReadableSpanLike, ResourceLike } from "./span-like.js";
import { hrTimeToNanos } from "./time.js";

const KIND_NAMES: readonly SpanRecordV1["kind"][] = ["INTERNAL", "SERVER", "CLIENT", "PRODUCER", "CONSUMER"];
const STATUS_NAMES: readonly SpanRecordV1["status"]["code"][] = ["UNSET", "OK", "ERROR"];
const SAMPLED_FLAG = 1;

type Scalar = string | number | boolean;

/** Normalizes one ended span; `cache` memoizes the (shared, immutable) resource per processor. */
export function toSpanRecord(
  span: ReadableSpanLike,
  redactor: Redactor,
  cache?: WeakMap<ResourceLike, NormalizedResource>,
): SpanRecordV1 {
  const ctx = span.spanContext();
  const redacted: string[] = [];
  const parent = span.parentSpanContext;
  const attributes = copyAttributes(span.attributes, "attributes.", redactor, redacted);
  let statusMessage: string | null = span.status.message ?? null;
  if (statusMessage !== null) {
    const scrubbed = redactor.scrub(statusMessage);
    if (scrubbed !== undefined) {
      statusMessage = scrubbed;
      redacted.push("status.message");
    }
  }

  const events: SpanRecordV1["events"] = new Array(span.events.length);
  for (let i = 0; i < span.events.length; i++) {
    const event = span.events[i]!;
    events[i] = {
      name: event.name,
      time_unix_nano: hrTimeToNanos(event.time),
      attributes: copyAttributes(event.attributes, `events[${i}].attributes.`, redactor, redacted),
      dropped_attributes_count: event.droppedAttributesCount ?? 0,
    };
  }
  const links: SpanRecordV1["links"] = new Array(span.links.length);
  for (let i = 0; i < span.links.length; i++) {
    const link = span.links[i]!;
    links[i] = {
      trace_id: link.context.traceId,
      span_id: link.context.spanId,
      trace_state: link.context.traceState?.serialize() || null,
      attributes: copyAttributes(link.attributes, `links[${i}].attributes.`, redactor, redacted),
      dropped_attributes_count: link.droppedAttributesCount ?? 0,
    };
  }
  const resource = normalizeResource(span.resource, redactor, cache);
  if (resource.redacted.length > 0) redacted.push(...resource.redacted);

  return {
    schema: SCHEMA_WEFT_SPAN_V1,
    trace_id: ctx.traceId,
    span_id: ctx.spanId,
    parent_span_id: parent?.spanId ?? null,
    trace_state: ctx.traceState?.serialize() || null,
    name: span.name,
    kind: KIND_NAMES[span.kind] ?? "INTERNAL",
    start_time_unix_nano: hrTimeToNanos(span.startTime),
    end_time_unix_nano: hrTimeToNanos(span.endTime),
    duration_nano: hrTimeToNanos(span.duration),
    status: { code: STATUS_NAMES[span.status.code] ?? "UNSET", message: statusMessage },
    attributes,
    events,
    links,
    resource: resource.value,
    scope: {
      name: span.instrumentationScope.name,
      version: span.instrumentationScope.version ?? null,
      schema_url: span.instrumentationScope.schemaUrl ?? null,
    },
    sampled: (ctx.traceFlags & SAMPLED_FLAG) === SAMPLED_FLAG,
    dropped: {
      attributes: span.droppedAttributesCount,
      events: span.droppedEventsCount,
      links: span.droppedLinksCount,
    },
    redacted,
  };
}

export interface NormalizedResource {
  value: SpanRecordV1["resource"];
  redacted: string[];
}

function normalizeResource(
  resource: ResourceLike,
  redactor: Redactor,
  cache: WeakMap<ResourceLike, NormalizedResource> | undefined,
): NormalizedResource {
  const hit = cache?.get(resource);
  if (hit !== undefined) return hit;
  const redacted: string[] = [];
  const value = {
    attributes: copyAttributes(resource.attributes, "resource.attributes.", redactor, redacted),
    schema_url: resource.schemaUrl ?? null,
  };
  const normalized = { value, redacted };
  // A resource whose async detectors are still running will gain attributes: do not memoize it.
  if (cache !== undefined && resource.asyncAttributesPending !== true) cache.set(resource, normalized);
  return normalized;
}

/**
 * Copies OTel attributes into stored form. Secret keys get the placeholder, secret substrings are
 * scrubbed, and every replacement's path is appended to `redacted`. Non-finite numbers (which JSON
 * cannot carry) become their string names; `undefined` values are skipped as the SDK does.
 */
function copyAttributes(
  attrs: Attributes | undefined,
  prefix: string,
  redactor: Redactor,
  redacted: string[],
): SpanAttributes {
  const out: SpanAttributes = {};
  if (attrs === undefined) return out;
  for (const key in attrs) {
    const value = attrs[key];
    if (value === undefined || value === null) continue;
    if (redactor.isSecretKey(key)) {
      out[key] = redactor.placeholder;
      redacted.push(prefix + key);
      continue;
    }
    out[key] = copyValue(value, prefix + key, redactor, redacted);
  }
  return out;
}

function copyValue(value: unknown, path: string, redactor: Redactor, redacted: string[]): SpanAttributeValue {
  if (typeof value === "string") {
    const scrubbed = redactor.scrub(value);
    if (scrubbed === undefined) return value;
    redacted.push(path);
    return scrubbed;
  }
  if (typeof value === "number") return Number.isFinite(value) ? value : String(value);
  if (typeof value === "boolean") return value;
  if (Array.isArray(value) && value.every(isScalarOrEmpty)) {
    const out: Array<Scalar | null> = new Array(value.length);
    for (let i = 0; i < value.length; i++) {
      const item: Scalar | null | undefined = value[i];
      if (item === null || item === undefined) out[i] = null;
      else if (typeof item === "string") {
        const scrubbed = redactor.scrub(item);
        if (scrubbed === undefined) out[i] = item;
        else {
          out[i] = scrubbed;
          redacted.push(`${path}[${i}]`);
        }
      } else if (typeof item === "number") out[i] = Number.isFinite(item) ? item : String(item);
      else out[i] = item;
    }
    return out;
  }
  // API 1.10 "AnyValue" (byte arrays, maps, nested arrays, bigint) has no place in the record's
  // attribute type: it is stored as its JSON text (bytes as base64), then scrubbed like any string.
  return copyValue(anyValueToText(value), path, redactor, redacted);
}

function isScalarOrEmpty(item: unknown): item is Scalar | null | undefined {
  const t = typeof item;
  return item === null || t === "undefined" || t === "string" || t === "number" || t === "boolean";
}

function anyValueToText(value: unknown): string {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  const text: string | undefined = JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === "bigint") return v.toString();
    if (v instanceof Uint8Array) return Buffer.from(v).toString("base64");
    return v;
  });
  // Functions and symbols have no JSON form; their String() still says what was there.
  return text ?? String(value);
}
