// Shared test fixtures: temp store paths, an SDK 3 provider wired with both an in-memory exporter
// and the mirror, and an independent oracle that builds the expected record from what the SDK
// exported (BigInt time math and the API's own enum names, not the processor's code).

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Attributes, SpanKind, SpanStatusCode } from "@opentelemetry/api";
import type { ReadableSpan } from "@opentelemetry/sdk-trace";
import type { SpanRecordV1 } from "@weft/chained-store";

export const TEST_SECRET = "span-processor-test-secret-0123456789";

const dirs: string[] = [];

/** A fresh temp directory, removed by `cleanupTempDirs`. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "weft-spc-"));
  dirs.push(dir);
  return dir;
}

export function cleanupTempDirs(): void {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

function nanos(t: readonly [number, number]): string {
  return (BigInt(t[0]) * 1_000_000_000n + BigInt(t[1])).toString();
}

function plain(attrs: Attributes | undefined): Record<string, unknown> {
  return JSON.parse(JSON.stringify(attrs ?? {})) as Record<string, unknown>;
}

/** The record a faithful mirror must store for a span without secrets. */
export function expectedRecord(span: ReadableSpan): SpanRecordV1 {
  const ctx = span.spanContext();
  return {
    schema: "weft.span.v1",
    trace_id: ctx.traceId,
    span_id: ctx.spanId,
    parent_span_id: span.parentSpanContext?.spanId ?? null,
    trace_state: ctx.traceState ? ctx.traceState.serialize() : null,
    name: span.name,
    kind: SpanKind[span.kind] as SpanRecordV1["kind"],
    start_time_unix_nano: nanos(span.startTime),
    end_time_unix_nano: nanos(span.endTime),
    duration_nano: (BigInt(nanos(span.endTime)) - BigInt(nanos(span.startTime))).toString(),
    status: {
      code: SpanStatusCode[span.status.code] as SpanRecordV1["status"]["code"],
      message: span.status.message ?? null,
    },
    attributes: plain(span.attributes) as SpanRecordV1["attributes"],
    events: span.events.map((e) => ({
      name: e.name,
      time_unix_nano: nanos(e.time),
      attributes: plain(e.attributes) as SpanRecordV1["attributes"],
      dropped_attributes_count: e.droppedAttributesCount ?? 0,
    })),
    links: span.links.map((l) => ({
      trace_id: l.context.traceId,
      span_id: l.context.spanId,
      trace_state: l.context.traceState ? l.context.traceState.serialize() : null,
      attributes: plain(l.attributes) as SpanRecordV1["attributes"],
      dropped_attributes_count: l.droppedAttributesCount ?? 0,
    })),
    resource: {
      attributes: plain(span.resource.attributes) as SpanRecordV1["attributes"],
      schema_url: span.resource.schemaUrl ?? null,
    },
    scope: {
      name: span.instrumentationScope.name,
      version: span.instrumentationScope.version ?? null,
      schema_url: span.instrumentationScope.schemaUrl ?? null,
    },
    sampled: (ctx.traceFlags & 1) === 1,
    dropped: {
      attributes: span.droppedAttributesCount,
      events: span.droppedEventsCount,
      links: span.droppedLinksCount,
    },
    redacted: [],
  };
}
