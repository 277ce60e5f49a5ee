// Reads what an OpenTelemetry Collector's file exporter wrote (OTLP/JSON, as JSON lines or one
// document) into spans with their resource and scope, normalising ids and enum spellings.
import { InputFileError } from "./errors.js";
import type { OtlpAnyValue, OtlpKeyValue, OtlpSpan } from "./otlp.js";

/** One span as read from a collector file, with the resource it was reported under. */
export interface CollectedSpan {
  span: OtlpSpan;
  resource: OtlpKeyValue[];
  scope: string;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Parses a file-exporter output: JSON lines, or one (pretty-printed) JSON document. */
export function parseCollectorFile(text: string, source = "collector file"): CollectedSpan[] {
  const docs: Json[] = [];
  const lines = text.split("\n");
  let lineMode = true;
  for (const [i, raw] of lines.entries()) {
    const l = raw.trim();
    if (l === "") continue;
    try {
      docs.push(JSON.parse(l) as Json);
    } catch {
      if (i === lines.length - 1 && docs.length > 0) {
        throw new InputFileError(`${source}:${i + 1}: truncated last line (is the collector still writing?)`);
      }
      lineMode = false;
      break;
    }
  }
  if (!lineMode) {
    docs.length = 0;
    try {
      docs.push(JSON.parse(text) as Json);
    } catch {
      throw new InputFileError(`${source} is neither OTLP JSON lines nor a JSON document`);
    }
  }
  const out: CollectedSpan[] = [];
  for (const [n, doc] of docs.entries()) {
    const rss = field(doc, "resourceSpans");
    if (!Array.isArray(rss)) {
      // the file exporter also writes metrics/logs lines when one file is shared: skip them
      if (field(doc, "resourceMetrics") !== undefined || field(doc, "resourceLogs") !== undefined) continue;
      throw new InputFileError(
        `${source}: document ${n + 1} has no resourceSpans (not an OTLP traces export)`,
      );
    }
    for (const rs of rss) {
      const resource = asKeyValues(field(field(rs, "resource"), "attributes"));
      const scopes = field(rs, "scopeSpans") ?? field(rs, "instrumentationLibrarySpans");
      if (!Array.isArray(scopes)) continue;
      for (const ss of scopes) {
        const scope = field(ss, "scope") ?? field(ss, "instrumentationLibrary");
        const scopeName = String(field(scope, "name") ?? "");
        const spans = field(ss, "spans");
        if (!Array.isArray(spans)) continue;
        for (const s of spans) out.push({ span: normalizeSpan(s), resource, scope: scopeName });
      }
    }
  }
  return out;
}

function field(v: Json | undefined, key: string): Json | undefined {
  if (v === null || v === undefined || typeof v !== "object" || Array.isArray(v)) return undefined;
  return v[key];
}

/** Ids are hex in OTLP/JSON; protobuf's canonical JSON would give base64, accept that too. */
function hexId(v: Json | undefined, bytes: number): string {
  if (typeof v !== "string" || v === "") return "";
  if (new RegExp(`^[0-9a-fA-F]{${bytes * 2}}$`).test(v)) return v.toLowerCase();
  const b = Buffer.from(v, "base64");
  return b.length === bytes ? b.toString("hex") : v;
}

function asKeyValues(v: Json | undefined): OtlpKeyValue[] {
  if (!Array.isArray(v)) return [];
  return v.map((kv) => ({
    key: String(field(kv, "key") ?? ""),
    value: (field(kv, "value") ?? {}) as OtlpAnyValue,
  }));
}

function normalizeSpan(s: Json): OtlpSpan {
  const status = field(s, "status");
  const span: OtlpSpan = {
    traceId: hexId(field(s, "traceId"), 16),
    spanId: hexId(field(s, "spanId"), 8),
    name: String(field(s, "name") ?? ""),
    kind: kindNumber(field(s, "kind")),
    startTimeUnixNano: String(field(s, "startTimeUnixNano") ?? "0"),
    endTimeUnixNano: String(field(s, "endTimeUnixNano") ?? "0"),
    attributes: asKeyValues(field(s, "attributes")),
    status: {},
  };
  const parent = hexId(field(s, "parentSpanId"), 8);
  if (parent) span.parentSpanId = parent;
  const ts = field(s, "traceState");
  if (typeof ts === "string" && ts) span.traceState = ts;
  const code = statusNumber(field(status, "code"));
  if (code) span.status.code = code;
  const msg = field(status, "message");
  if (typeof msg === "string" && msg) span.status.message = msg;
  const events = field(s, "events");
  if (Array.isArray(events) && events.length > 0) {
    span.events = events.map((e) => ({
      timeUnixNano: String(field(e, "timeUnixNano") ?? "0"),
      name: String(field(e, "name") ?? ""),
      attributes: asKeyValues(field(e, "attributes")),
    }));
  }
  const links = field(s, "links");
  if (Array.isArray(links) && links.length > 0) {
    span.links = links.map((l) => ({
      traceId: hexId(field(l, "traceId"), 16),
      spanId: hexId(field(l, "spanId"), 8),
      attributes: asKeyValues(field(l, "attributes")),
    }));
  }
  return span;
}

const KIND_NAMES: Record<string, number> = {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
};
function kindNumber(v: Json | undefined): number {
  if (typeof v === "number") return v;
  if (typeof v === "string") return KIND_NAMES[v] ?? Number(v);
  return 0;
}
function statusNumber(v: Json | undefined): number {
  if (typeof v === "number") return v;
  if (v === "STATUS_CODE_OK") return 1;
  if (v === "STATUS_CODE_ERROR") return 2;
  return 0;
}
