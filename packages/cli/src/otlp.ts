// Spans-chain records ↔ OTLP/JSON as the OpenTelemetry Collector's file exporter writes it: one
// ExportTraceServiceRequest per line, camelCase, hex ids, string nanos, typed AnyValues. Pure
// functions (no I/O) so tests and other packages can use them without the binary.
import type { SpanAttributes, SpanAttributeValue, SpanRecordV1 } from "@weft/chained-store";

export type OtlpAnyValue =
  | { stringValue: string }
  | { intValue: string }
  | { doubleValue: number }
  | { boolValue: boolean }
  | { arrayValue: { values: OtlpAnyValue[] } }
  | Record<string, never>;

export interface OtlpKeyValue {
  key: string;
  value: OtlpAnyValue;
}

export interface OtlpSpan {
  traceId: string;
  spanId: string;
  traceState?: string;
  parentSpanId?: string;
  flags?: number;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes?: OtlpKeyValue[];
  droppedAttributesCount?: number;
  events?: Array<{
    timeUnixNano: string;
    name: string;
    attributes?: OtlpKeyValue[];
    droppedAttributesCount?: number;
  }>;
  droppedEventsCount?: number;
  links?: Array<{
    traceId: string;
    spanId: string;
    traceState?: string;
    attributes?: OtlpKeyValue[];
    droppedAttributesCount?: number;
  }>;
  droppedLinksCount?: number;
  status: { code?: number; message?: string };
}

export interface ExportTraceServiceRequest {
  resourceSpans: Array<{
    resource: { attributes: OtlpKeyValue[] };
    schemaUrl?: string;
    scopeSpans: Array<{
      scope: { name: string; version?: string };
      schemaUrl?: string;
      spans: OtlpSpan[];
    }>;
  }>;
}

/** OTLP `Span.SpanKind` numbers. */
export const SPAN_KIND: Record<SpanRecordV1["kind"], number> = {
  INTERNAL: 1,
  SERVER: 2,
  CLIENT: 3,
  PRODUCER: 4,
  CONSUMER: 5,
};
/** OTLP `Status.StatusCode` numbers. */
export const STATUS_CODE: Record<SpanRecordV1["status"]["code"], number> = { UNSET: 0, OK: 1, ERROR: 2 };

export function toAnyValue(v: SpanAttributeValue | null): OtlpAnyValue {
  if (v === null) return {};
  if (typeof v === "string") return { stringValue: v };
  if (typeof v === "boolean") return { boolValue: v };
  if (typeof v === "number") return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  return { arrayValue: { values: v.map((x) => toAnyValue(x)) } };
}

export function toKeyValues(attrs: SpanAttributes): OtlpKeyValue[] {
  return Object.entries(attrs).map(([key, value]) => ({ key, value: toAnyValue(value) }));
}

export function spanRecordToOtlp(r: SpanRecordV1): OtlpSpan {
  const span: OtlpSpan = {
    traceId: r.trace_id,
    spanId: r.span_id,
    name: r.name,
    kind: SPAN_KIND[r.kind],
    startTimeUnixNano: r.start_time_unix_nano,
    endTimeUnixNano: r.end_time_unix_nano,
    status: {},
  };
  if (r.trace_state) span.traceState = r.trace_state;
  if (r.parent_span_id) span.parentSpanId = r.parent_span_id;
  span.flags = r.sampled ? 1 : 0;
  span.attributes = toKeyValues(r.attributes);
  if (r.dropped.attributes) span.droppedAttributesCount = r.dropped.attributes;
  if (r.events.length > 0) {
    span.events = r.events.map((e) => {
      const ev: NonNullable<OtlpSpan["events"]>[number] = {
        timeUnixNano: e.time_unix_nano,
        name: e.name,
        attributes: toKeyValues(e.attributes),
      };
      if (e.dropped_attributes_count) ev.droppedAttributesCount = e.dropped_attributes_count;
      return ev;
    });
  }
  if (r.dropped.events) span.droppedEventsCount = r.dropped.events;
  if (r.links.length > 0) {
    span.links = r.links.map((l) => {
      const link: NonNullable<OtlpSpan["links"]>[number] = {
        traceId: l.trace_id,
        spanId: l.span_id,
        attributes: toKeyValues(l.attributes),
      };
      if (l.trace_state) link.traceState = l.trace_state;
      if (l.dropped_attributes_count) link.droppedAttributesCount = l.dropped_attributes_count;
      return link;
    });
  }
  if (r.dropped.links) span.droppedLinksCount = r.dropped.links;
  const code = STATUS_CODE[r.status.code];
  if (code !== 0) span.status.code = code;
  if (r.status.message) span.status.message = r.status.message;
  return span;
}

/** Groups records by resource and scope into one request, keeping their order within a group. */
export function spanRecordsToRequest(records: readonly SpanRecordV1[]): ExportTraceServiceRequest {
  const byResource = new Map<string, ExportTraceServiceRequest["resourceSpans"][number]>();
  const byScope = new Map<string, ExportTraceServiceRequest["resourceSpans"][number]["scopeSpans"][number]>();
  for (const r of records) {
    const rk = JSON.stringify([r.resource.attributes, r.resource.schema_url]);
    let rs = byResource.get(rk);
    if (!rs) {
      rs = { resource: { attributes: toKeyValues(r.resource.attributes) }, scopeSpans: [] };
      if (r.resource.schema_url) rs.schemaUrl = r.resource.schema_url;
      byResource.set(rk, rs);
    }
    const sk = JSON.stringify([rk, r.scope.name, r.scope.version, r.scope.schema_url]);
    let ss = byScope.get(sk);
    if (!ss) {
      ss = { scope: { name: r.scope.name }, spans: [] };
      if (r.scope.version) ss.scope.version = r.scope.version;
      if (r.scope.schema_url) ss.schemaUrl = r.scope.schema_url;
      byScope.set(sk, ss);
      rs.scopeSpans.push(ss);
    }
    ss.spans.push(spanRecordToOtlp(r));
  }
  return { resourceSpans: [...byResource.values()] };
}

/** Yields one request per `batchSize` records, as the collector's file exporter writes one per batch. */
export function* spanRecordsToRequests(
  records: Iterable<SpanRecordV1>,
  batchSize = 512,
): Generator<ExportTraceServiceRequest> {
  let batch: SpanRecordV1[] = [];
  for (const r of records) {
    batch.push(r);
    if (batch.length >= batchSize) {
      yield spanRecordsToRequest(batch);
      batch = [];
    }
  }
  if (batch.length > 0) yield spanRecordsToRequest(batch);
}
