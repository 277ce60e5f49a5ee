// Compares the spans chain with what an OpenTelemetry Collector wrote (file exporter, OTLP/JSON):
// every span on either side must be on the other with the same ids, name, kind, parent, times,
// status, attributes, events and links (and resource attributes unless told to ignore them).
import { createHash } from "node:crypto";
import { canonicalize, type SpanRecordV1 } from "@weft/chained-store";
import {
  type OtlpAnyValue,
  type OtlpKeyValue,
  type OtlpSpan,
  spanRecordToOtlp,
  toKeyValues,
} from "./otlp.js";
import type { CollectedSpan } from "./otlp-collector-file.js";

export interface SpanDifference {
  trace_id: string;
  span_id: string;
  name: string;
  field: string;
  store: string | null;
  collector: string | null;
}

export interface OtlpDiff {
  store_spans: number;
  collector_spans: number;
  matched: number;
  missing_in_collector: Array<{ trace_id: string; span_id: string; name: string }>;
  missing_in_store: Array<{ trace_id: string; span_id: string; name: string }>;
  /** Span ids the collector reported more than once with the same content (an exporter retry; not counted). */
  duplicates_in_collector: Array<{ trace_id: string; span_id: string; name: string }>;
  /** Span ids the store holds more than once with the same content (not counted). */
  duplicates_in_store: Array<{ trace_id: string; span_id: string; name: string }>;
  /**
   * Span ids reported more than once with different content, on either side: each is a
   * difference (which copy is the truth cannot be told), never silently resolved to one copy.
   */
  conflicting_duplicates: Array<{
    side: "store" | "collector";
    trace_id: string;
    span_id: string;
    name: string;
    field: string;
    first: string | null;
    second: string | null;
  }>;
  mismatched: SpanDifference[];
  differences: number;
}

export interface DiffOptions {
  /** Skip resource attributes (a collector processor may add or change them). */
  ignoreResource?: boolean;
  /** Only consider collector spans of these trace ids (e.g. when the store was filtered). */
  traceIds?: ReadonlySet<string>;
}

/** A comparable text form of an AnyValue: int 2 and double 2.0 compare equal, as numbers do. */
export function anyValueText(v: OtlpAnyValue | undefined): string {
  if (v === undefined) return "<absent>";
  const o = v as Record<string, unknown>;
  if ("stringValue" in o) return JSON.stringify(String(o["stringValue"]));
  if ("boolValue" in o) return String(o["boolValue"] === true || o["boolValue"] === "true");
  if ("intValue" in o) return BigInt(String(o["intValue"])).toString();
  if ("doubleValue" in o) {
    return String(Number(o["doubleValue"]));
  }
  if ("arrayValue" in o) {
    const values = ((o["arrayValue"] as { values?: OtlpAnyValue[] } | undefined)?.values ?? []).map(
      anyValueText,
    );
    return `[${values.join(",")}]`;
  }
  if ("kvlistValue" in o) return JSON.stringify(o["kvlistValue"]);
  if ("bytesValue" in o) return `bytes:${String(o["bytesValue"])}`;
  return "null";
}

function attrMap(kvs: readonly OtlpKeyValue[] | undefined): Map<string, string> {
  return new Map((kvs ?? []).map((kv) => [kv.key, anyValueText(kv.value)]));
}

function compareAttrs(
  prefix: string,
  a: readonly OtlpKeyValue[] | undefined,
  b: readonly OtlpKeyValue[] | undefined,
  report: (field: string, store: string | null, collector: string | null) => void,
): void {
  const ma = attrMap(a);
  const mb = attrMap(b);
  for (const key of new Set([...ma.keys(), ...mb.keys()])) {
    const va = ma.get(key) ?? null;
    const vb = mb.get(key) ?? null;
    if (va !== vb) report(`${prefix}${key}`, va, vb);
  }
}

function compareSpans(
  store: OtlpSpan,
  storeResource: OtlpKeyValue[],
  col: CollectedSpan,
  options: DiffOptions,
  report: (field: string, store: string | null, collector: string | null) => void,
): void {
  const c = col.span;
  const scalar = (name: string, a: unknown, b: unknown): void => {
    const sa = a === undefined ? null : String(a);
    const sb = b === undefined ? null : String(b);
    if (sa !== sb) report(name, sa, sb);
  };
  scalar("name", store.name, c.name);
  scalar("kind", store.kind, c.kind);
  scalar("parentSpanId", store.parentSpanId ?? "", c.parentSpanId ?? "");
  scalar("traceState", store.traceState ?? "", c.traceState ?? "");
  scalar("startTimeUnixNano", store.startTimeUnixNano, c.startTimeUnixNano);
  scalar("endTimeUnixNano", store.endTimeUnixNano, c.endTimeUnixNano);
  scalar("status.code", store.status.code ?? 0, c.status.code ?? 0);
  scalar("status.message", store.status.message ?? "", c.status.message ?? "");
  compareAttrs("attributes.", store.attributes, c.attributes, report);
  const se = store.events ?? [];
  const ce = c.events ?? [];
  scalar("events.length", se.length, ce.length);
  for (let i = 0; i < Math.min(se.length, ce.length); i++) {
    scalar(`events[${i}].name`, se[i]?.name, ce[i]?.name);
    scalar(`events[${i}].timeUnixNano`, se[i]?.timeUnixNano, ce[i]?.timeUnixNano);
    compareAttrs(`events[${i}].attributes.`, se[i]?.attributes, ce[i]?.attributes, report);
  }
  const sl = store.links ?? [];
  const cl = c.links ?? [];
  scalar("links.length", sl.length, cl.length);
  for (let i = 0; i < Math.min(sl.length, cl.length); i++) {
    scalar(`links[${i}].traceId`, sl[i]?.traceId, cl[i]?.traceId);
    scalar(`links[${i}].spanId`, sl[i]?.spanId, cl[i]?.spanId);
    compareAttrs(`links[${i}].attributes.`, sl[i]?.attributes, cl[i]?.attributes, report);
  }
  if (!options.ignoreResource) compareAttrs("resource.attributes.", storeResource, col.resource, report);
}

/**
 * The record's `redacted` paths (`attributes.k`, `attributes.k[2]`, `events[0].attributes.k`,
 * `resource.attributes.k`, `status.message`) as a predicate over the field names compared here.
 */
function redactedFields(r: SpanRecordV1): (field: string) => boolean {
  if (r.redacted.length === 0) return () => false;
  const exact = new Set<string>();
  for (const path of r.redacted) exact.add(path.replace(/\[\d+\]$/, ""));
  return (field) => exact.has(field);
}

/**
 * Diffs store span records against collected spans; `differences === 0` means they agree. Values
 * the span processor redacted before hashing are compared by presence only.
 */
export function diffSpans(
  storeRecords: Iterable<SpanRecordV1>,
  collected: readonly CollectedSpan[],
  options: DiffOptions = {},
): OtlpDiff {
  const byId = new Map<string, CollectedSpan>();
  const duplicates: OtlpDiff["duplicates_in_collector"] = [];
  const conflicts: OtlpDiff["conflicting_duplicates"] = [];
  let collectorCount = 0;
  for (const c of collected) {
    if (options.traceIds && !options.traceIds.has(c.span.traceId)) continue;
    collectorCount++;
    const key = `${c.span.traceId}/${c.span.spanId}`;
    const prev = byId.get(key);
    if (prev) {
      let conflicting = false;
      compareSpans(prev.span, prev.resource, c, options, (field, first, second) => {
        conflicting = true;
        conflicts.push({
          side: "collector",
          trace_id: c.span.traceId,
          span_id: c.span.spanId,
          name: c.span.name,
          field,
          first,
          second,
        });
      });
      if (!conflicting)
        duplicates.push({ trace_id: c.span.traceId, span_id: c.span.spanId, name: c.span.name });
      continue;
    }
    byId.set(key, c);
  }
  const result: OtlpDiff = {
    store_spans: 0,
    collector_spans: collectorCount,
    matched: 0,
    missing_in_collector: [],
    missing_in_store: [],
    duplicates_in_collector: duplicates,
    duplicates_in_store: [],
    conflicting_duplicates: conflicts,
    mismatched: [],
    differences: 0,
  };
  // Digest of each store span's canonical record, to tell equal from conflicting duplicates
  // without holding every record in memory.
  const seen = new Map<string, string>();
  for (const r of storeRecords) {
    result.store_spans++;
    const key = `${r.trace_id}/${r.span_id}`;
    const digest = createHash("sha256").update(canonicalize(r)).digest("hex");
    const first = seen.get(key);
    if (first !== undefined) {
      if (first === digest) {
        result.duplicates_in_store.push({ trace_id: r.trace_id, span_id: r.span_id, name: r.name });
      } else {
        result.conflicting_duplicates.push({
          side: "store",
          trace_id: r.trace_id,
          span_id: r.span_id,
          name: r.name,
          field: "record (sha256 of canonical JSON)",
          first,
          second: digest,
        });
      }
      continue;
    }
    seen.set(key, digest);
    const col = byId.get(key);
    if (!col) {
      result.missing_in_collector.push({ trace_id: r.trace_id, span_id: r.span_id, name: r.name });
      continue;
    }
    const before = result.mismatched.length;
    const redacted = redactedFields(r);
    compareSpans(spanRecordToOtlp(r), toKeyValues(r.resource.attributes), col, options, (f, s, c) => {
      // the span processor replaced this value before hashing; the collector has the original
      if (redacted(f) && (s === null) === (c === null)) return;
      result.mismatched.push({
        trace_id: r.trace_id,
        span_id: r.span_id,
        name: r.name,
        field: f,
        store: s,
        collector: c,
      });
    });
    if (result.mismatched.length === before) result.matched++;
  }
  for (const [key, c] of byId) {
    if (!seen.has(key)) {
      result.missing_in_store.push({ trace_id: c.span.traceId, span_id: c.span.spanId, name: c.span.name });
    }
  }
  // Equal duplicates are listed but not counted (an exporter retry may re-send a batch);
  // conflicting ones are differences.
  result.differences =
    result.missing_in_collector.length +
    result.missing_in_store.length +
    result.mismatched.length +
    result.conflicting_duplicates.length;
  return result;
}
