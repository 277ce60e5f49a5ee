// ChainedSpanProcessor under OpenTelemetry SDK 2.x (@opentelemetry/sdk-trace-base 2.12.1,
// @opentelemetry/api 1.9): the structural SpanProcessor contract holds, every span the SDK exports
// is mirrored with the same content, RECORD_ONLY spans are mirrored, and the chain verifies.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { context, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SamplingDecision,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { openStore } from "@weft/chained-store";
import { ChainedSpanProcessor } from "@weft/span-processor-chained";
import { afterAll, expect, test } from "vitest";

const SECRET = "sdk2-span-processor-test-secret-0123456789";
const dir = mkdtempSync(join(tmpdir(), "weft-sdk2-spc-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const nanos = (t: readonly [number, number]) => (BigInt(t[0]) * 1_000_000_000n + BigInt(t[1])).toString();

test("SDK 2.x BasicTracerProvider: mirrored records match the exported spans, RECORD_ONLY included, chain verifies", async () => {
  const path = join(dir, "sdk2.db");
  const exporter = new InMemorySpanExporter();
  const mirror = new ChainedSpanProcessor({ path, storeOptions: { secret: SECRET } });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ "service.name": "sdk2-app" }),
    sampler: {
      shouldSample: (_c, _t, name) => ({
        decision: name === "record only" ? SamplingDecision.RECORD : SamplingDecision.RECORD_AND_SAMPLED,
      }),
      toString: () => "sdk2-test-sampler",
    },
    spanProcessors: [new SimpleSpanProcessor(exporter), mirror],
  });
  const tracer = provider.getTracer("sdk2-tracer", "2.0.0");
  const root = tracer.startSpan("root", {
    kind: SpanKind.SERVER,
    attributes: { "weft.principal.id": "agent-1", n: 1.5 },
  });
  const ctx = trace.setSpan(context.active(), root);
  const child = tracer.startSpan(
    "execute_tool web.fetch",
    {
      attributes: { "weft.action.id": "act-1" },
      links: [{ context: root.spanContext(), attributes: { why: "test" } }],
    },
    ctx,
  );
  child.addEvent("decision", { allowed: true });
  child.setStatus({ code: SpanStatusCode.ERROR, message: "boom" });
  child.end();
  tracer.startSpan("record only").end();
  root.end();
  await provider.forceFlush();

  const exported = exporter.getFinishedSpans();
  expect(exported.map((s) => s.name).sort()).toEqual(["execute_tool web.fetch", "root"]);
  const stored = [...mirror.chain.iterate()].map((r) => r.payload);
  expect(stored.map((r) => r.name)).toEqual(["execute_tool web.fetch", "record only", "root"]);
  expect(stored.find((r) => r.name === "record only")!.sampled).toBe(false);

  for (const span of exported as ReadableSpan[]) {
    const record = stored.find((r) => r.span_id === span.spanContext().spanId)!;
    expect(record).toMatchObject({
      trace_id: span.spanContext().traceId,
      parent_span_id: span.parentSpanContext?.spanId ?? null,
      name: span.name,
      kind: SpanKind[span.kind],
      start_time_unix_nano: nanos(span.startTime),
      end_time_unix_nano: nanos(span.endTime),
      status: { code: SpanStatusCode[span.status.code], message: span.status.message ?? null },
      attributes: { ...span.attributes },
      events: span.events.map((e) => ({
        name: e.name,
        time_unix_nano: nanos(e.time),
        attributes: { ...e.attributes },
        dropped_attributes_count: 0,
      })),
      links: span.links.map((l) => ({
        trace_id: l.context.traceId,
        span_id: l.context.spanId,
        trace_state: null,
        attributes: { ...l.attributes },
        dropped_attributes_count: 0,
      })),
      resource: { attributes: { ...span.resource.attributes }, schema_url: null },
      scope: { name: "sdk2-tracer", version: "2.0.0", schema_url: null },
      sampled: true,
      redacted: [],
    });
  }
  expect(mirror.chain.query({ actionId: "act-1" }).map((r) => r.payload.name)).toEqual([
    "execute_tool web.fetch",
  ]);
  await provider.shutdown();

  const reader = openStore({ path, secret: SECRET, readonly: true });
  expect(reader.verify("spans")).toMatchObject({ ok: true, recordsChecked: 3 });
  reader.close();
});
