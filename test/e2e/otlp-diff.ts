// Compares the spans mirrored into a chained store with the spans a collector wrote as OTLP JSON
// (file exporter, one ExportTraceServiceRequest per line). Both sides are reduced to one
// normalized shape, so a difference means the two paths really saw different spans.

import type { SpanAttributes, SpanAttributeValue, SpanRecordV1 } from "@weft/chained-store";

/** A scalar attribute value in a form both encodings reduce to exactly. */
type Scalar = { t: "s"; v: string } | { t: "i"; v: string } | { t: "d"; v: number } | { t: "b"; v: boolean };
type NormValue = Scalar | { t: "a"; v: Array<Scalar | null> };

export interface NormalizedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  name: string;
  kind: string;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  statusCode: string;
  statusMessage: string | null;
  attributes: Record<string, NormValue>;
  events: Array<{ name: string; timeUnixNano: string; attributes: Record<string, NormValue> }>;
  resource: Record<string, NormValue>;
  scopeName: string;
  /** Attribute keys the store replaced before hashing: compared by presence only. */
  redactedKeys: string[];
}

export interface SpanDifference {
  traceId: string;
  spanId: string;
  field: string;
  store: unknown;
  collector: unknown;
}

export interface OtlpDiff {
  storeCount: number;
  collectorCount: number;
  matched: number;
  onlyInStore: Array<{ traceId: string; spanId: string; name: string }>;
  onlyInCollector: Array<{ traceId: string; spanId: string; name: string }>;
  /** Same span delivered more than once by the collector (at-least-once delivery): informational. */
  duplicatesInCollector: number;
  differences: SpanDifference[];
}

const KINDS = ["UNSPECIFIED", "INTERNAL", "SERVER", "CLIENT", "PRODUCER", "CONSUMER"];
const STATUS = ["UNSET", "OK", "ERROR"];

function scalarFromJs(value: string | number | boolean): Scalar {
  if (typeof value === "string") return { t: "s", v: value };
  if (typeof value === "boolean") return { t: "b", v: value };
  // The OTel JS OTLP encoder sends integral numbers as intValue and the rest as doubleValue.
  return Number.isInteger(value) ? { t: "i", v: String(value) } : { t: "d", v: value };
}

function normalizeStoreValue(value: SpanAttributeValue): NormValue {
  if (Array.isArray(value)) return { t: "a", v: value.map((x) => (x === null ? null : scalarFromJs(x))) };
  return scalarFromJs(value);
}

function normalizeStoreAttributes(attributes: SpanAttributes): Record<string, NormValue> {
  const out: Record<string, NormValue> = {};
  for (const [key, value] of Object.entries(attributes)) out[key] = normalizeStoreValue(value);
  return out;
}

/** Normalizes one `weft.span.v1` record from the chained store. */
export function normalizeStoreSpan(record: SpanRecordV1): NormalizedSpan {
  return {
    traceId: record.trace_id.toLowerCase(),
    spanId: record.span_id.toLowerCase(),
    parentSpanId: record.parent_span_id ? record.parent_span_id.toLowerCase() : null,
    name: record.name,
    kind: record.kind,
    startTimeUnixNano: record.start_time_unix_nano,
    endTimeUnixNano: record.end_time_unix_nano,
    statusCode: record.status.code,
    statusMessage: record.status.message ? record.status.message : null,
    attributes: normalizeStoreAttributes(record.attributes),
    events: record.events.map((e) => ({
      name: e.name,
      timeUnixNano: e.time_unix_nano,
      attributes: normalizeStoreAttributes(e.attributes),
    })),
    resource: normalizeStoreAttributes(record.resource.attributes),
    scopeName: record.scope.name,
    redactedKeys: record.redacted
      .filter((p) => p.startsWith("attributes."))
      .map((p) => p.slice("attributes.".length)),
  };
}

// --- OTLP JSON (protobuf JSON mapping as written by the collector's pdata marshaler) ---

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function obj(value: Json | undefined): { [key: string]: Json } {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? value : {};
}
function arr(value: Json | undefined): Json[] {
  return Array.isArray(value) ? value : [];
}
function str(value: Json | undefined): string {
  return typeof value === "string" ? value : "";
}

function otlpScalar(value: { [key: string]: Json }): Scalar | null {
  if ("stringValue" in value) return { t: "s", v: str(value["stringValue"]) };
  if ("boolValue" in value) return { t: "b", v: value["boolValue"] === true };
  // int64 is a JSON string in the protobuf mapping; some writers use a number.
  if ("intValue" in value) return { t: "i", v: BigInt(String(value["intValue"])).toString() };
  if ("doubleValue" in value) return { t: "d", v: Number(value["doubleValue"]) };
  return null;
}

function otlpValue(value: { [key: string]: Json }): NormValue | null {
  if ("arrayValue" in value) {
    return { t: "a", v: arr(obj(value["arrayValue"])["values"]).map((x) => otlpScalar(obj(x))) };
  }
  return otlpScalar(value);
}

function otlpAttributes(list: Json | undefined): Record<string, NormValue> {
  const out: Record<string, NormValue> = {};
  for (const item of arr(list)) {
    const kv = obj(item);
    const value = otlpValue(obj(kv["value"]));
    if (value) out[str(kv["key"])] = value;
  }
  return out;
}

function otlpEnum(value: Json | undefined, names: string[], prefix: string): string {
  if (typeof value === "number") return names[value] ?? String(value);
  const s = str(value);
  return s.startsWith(prefix) ? s.slice(prefix.length) : s || (names[0] ?? "");
}

/** Parses the collector's file exporter output (JSON lines) into normalized spans. */
export function parseOtlpJsonLines(text: string): NormalizedSpan[] {
  const spans: NormalizedSpan[] = [];
  const lines = text.split("\n");
  for (const [i, line] of lines.entries()) {
    if (line.trim() === "") continue;
    let parsed: Json;
    try {
      parsed = JSON.parse(line) as Json;
    } catch (error) {
      // A last line without its newline is a write in progress (or cut by SIGKILL): not data yet.
      if (i === lines.length - 1) continue;
      throw error;
    }
    const request = obj(parsed);
    for (const rs of arr(request["resourceSpans"])) {
      const resource = otlpAttributes(obj(obj(rs)["resource"])["attributes"]);
      for (const ss of arr(obj(rs)["scopeSpans"])) {
        const scopeName = str(obj(obj(ss)["scope"])["name"]);
        for (const raw of arr(obj(ss)["spans"])) {
          const span = obj(raw);
          const status = obj(span["status"]);
          const parent = str(span["parentSpanId"]);
          spans.push({
            traceId: str(span["traceId"]).toLowerCase(),
            spanId: str(span["spanId"]).toLowerCase(),
            parentSpanId: parent ? parent.toLowerCase() : null,
            name: str(span["name"]),
            kind: otlpEnum(span["kind"], KINDS, "SPAN_KIND_"),
            startTimeUnixNano: String(span["startTimeUnixNano"] ?? "0"),
            endTimeUnixNano: String(span["endTimeUnixNano"] ?? "0"),
            statusCode: otlpEnum(status["code"], STATUS, "STATUS_CODE_"),
            statusMessage: str(status["message"]) || null,
            attributes: otlpAttributes(span["attributes"]),
            events: arr(span["events"]).map((e) => ({
              name: str(obj(e)["name"]),
              timeUnixNano: String(obj(e)["timeUnixNano"] ?? "0"),
              attributes: otlpAttributes(obj(e)["attributes"]),
            })),
            resource,
            scopeName,
            redactedKeys: [],
          });
        }
      }
    }
  }
  return spans;
}

const key = (s: { traceId: string; spanId: string }): string => `${s.traceId}/${s.spanId}`;

function compareAttributes(
  field: string,
  store: Record<string, NormValue>,
  collector: Record<string, NormValue>,
  redacted: ReadonlySet<string>,
  push: (field: string, store: unknown, collector: unknown) => void,
): void {
  const keys = new Set([...Object.keys(store), ...Object.keys(collector)]);
  for (const k of [...keys].sort()) {
    const a = store[k];
    const b = collector[k];
    if (redacted.has(k)) {
      if ((a === undefined) !== (b === undefined)) push(`${field}.${k}`, a, b);
      continue;
    }
    if (JSON.stringify(a) !== JSON.stringify(b)) push(`${field}.${k}`, a, b);
  }
}

/**
 * Diffs the store's spans against the collector's. Ids, parent, name, kind, timestamps, status,
 * attributes, events, resource attributes and scope must match exactly; a span on one side only
 * is reported by id.
 */
export function diffSpans(storeSpans: NormalizedSpan[], collectorSpans: NormalizedSpan[]): OtlpDiff {
  const fromStore = new Map(storeSpans.map((s) => [key(s), s]));
  const fromCollector = new Map<string, NormalizedSpan>();
  let duplicates = 0;
  for (const s of collectorSpans) {
    if (fromCollector.has(key(s))) duplicates++;
    else fromCollector.set(key(s), s);
  }
  const differences: SpanDifference[] = [];
  const onlyInStore: OtlpDiff["onlyInStore"] = [];
  let matched = 0;
  for (const [k, a] of fromStore) {
    const b = fromCollector.get(k);
    if (!b) {
      onlyInStore.push({ traceId: a.traceId, spanId: a.spanId, name: a.name });
      continue;
    }
    matched++;
    const push = (field: string, store: unknown, collector: unknown): void => {
      differences.push({ traceId: a.traceId, spanId: a.spanId, field, store, collector });
    };
    for (const field of [
      "parentSpanId",
      "name",
      "kind",
      "startTimeUnixNano",
      "endTimeUnixNano",
      "statusCode",
      "statusMessage",
      "scopeName",
    ] as const) {
      if (a[field] !== b[field]) push(field, a[field], b[field]);
    }
    const redacted = new Set(a.redactedKeys);
    compareAttributes("attributes", a.attributes, b.attributes, redacted, push);
    compareAttributes("resource", a.resource, b.resource, new Set(), push);
    if (a.events.length !== b.events.length) push("events.length", a.events.length, b.events.length);
    a.events.forEach((ea, i) => {
      const eb = b.events[i];
      if (!eb) return;
      if (ea.name !== eb.name) push(`events[${i}].name`, ea.name, eb.name);
      if (ea.timeUnixNano !== eb.timeUnixNano)
        push(`events[${i}].timeUnixNano`, ea.timeUnixNano, eb.timeUnixNano);
      compareAttributes(`events[${i}].attributes`, ea.attributes, eb.attributes, new Set(), push);
    });
  }
  const onlyInCollector = [...fromCollector.values()]
    .filter((s) => !fromStore.has(key(s)))
    .map((s) => ({ traceId: s.traceId, spanId: s.spanId, name: s.name }));
  return {
    storeCount: fromStore.size,
    collectorCount: fromCollector.size,
    matched,
    onlyInStore,
    onlyInCollector,
    duplicatesInCollector: duplicates,
    differences,
  };
}

/** One line per differing field with how many spans differ in it, plus the one-sided spans. */
export function summarizeDiff(diff: OtlpDiff): string {
  const byField = new Map<string, { count: number; example: SpanDifference }>();
  for (const d of diff.differences) {
    const entry = byField.get(d.field);
    if (entry) entry.count++;
    else byField.set(d.field, { count: 1, example: d });
  }
  const lines = [...byField].map(
    ([field, { count, example }]) =>
      `${field}: ${count} span(s), e.g. store=${JSON.stringify(example.store)} collector=${JSON.stringify(example.collector)}`,
  );
  if (diff.onlyInStore.length > 0) lines.push(`only in store: ${diff.onlyInStore.length}`);
  if (diff.onlyInCollector.length > 0) lines.push(`only in collector: ${diff.onlyInCollector.length}`);
  return lines.join("\n");
}
