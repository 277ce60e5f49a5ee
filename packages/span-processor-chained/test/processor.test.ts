// The mirror against a real SDK 3 TracerProvider and a real SQLite store: content fidelity against
// the SDK's own in-memory exporter, chain validity, RECORD_ONLY spans, durability of forceFlush,
// backpressure, shutdown, self-metrics and the forensic queries users rely on.

import { join } from "node:path";
import {
  createTraceState,
  type Link,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  trace,
} from "@opentelemetry/api";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { AggregationTemporality, MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import {
  InMemorySpanExporter,
  type Sampler,
  SamplingDecision,
  SimpleSpanProcessor,
  TracerProvider,
} from "@opentelemetry/sdk-trace";
import { openStore, type SpanRecordV1 } from "@weft/chained-store";
import {
  ATTR_WEFT_ACTION_ID,
  ATTR_WEFT_PRINCIPAL_ID,
  METRIC_WEFT_SPAN_MIRROR_LAST_FLUSH_AGE,
  METRIC_WEFT_SPAN_MIRROR_QUEUE_SIZE,
  METRIC_WEFT_SPAN_MIRROR_SPANS_WRITTEN,
  METRIC_WEFT_SPAN_MIRROR_SYNC_FLUSHES,
} from "@weft/semconv";
import { afterAll, describe, expect, test } from "vitest";
import { ChainedSpanProcessor, SpanMirrorConfigError } from "../src/index.js";
import { cleanupTempDirs, expectedRecord, TEST_SECRET, tempDir } from "./helpers.js";

afterAll(cleanupTempDirs);

function setup(options: { sampler?: Sampler; maxQueueSize?: number; maxBatchSize?: number } = {}) {
  const path = join(tempDir(), "audit.db");
  const exporter = new InMemorySpanExporter();
  const mirror = new ChainedSpanProcessor({
    path,
    storeOptions: { secret: TEST_SECRET },
    maxQueueSize: options.maxQueueSize,
    maxBatchSize: options.maxBatchSize,
  });
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ "service.name": "mirror-test", "deployment.environment.name": "ci" }),
    spanProcessors: [new SimpleSpanProcessor({ exporter }), mirror],
    ...(options.sampler ? { sampler: options.sampler } : {}),
  });
  return { path, exporter, mirror, provider, tracer: provider.getTracer("weft-test", "1.2.3") };
}

const TRACE_A = "0af7651916cd43dd8448eb211c80319c";
const TRACE_B = "4bf92f3577b34da6a3ce929d0e0e4736";
/** root + side task + 3 × (tool + GET) + consumer */
const SPANS_PER_TRACE = 9;

/** A small agent-like trace: server root, tool calls with events, links, errors and trace state. */
function emitTrace(tracer: ReturnType<ReturnType<typeof setup>["provider"]["getTracer"]>, traceId: string) {
  const remoteParent = trace.setSpanContext(ROOT_CONTEXT, {
    traceId,
    spanId: "b7ad6b7169203331",
    traceFlags: TraceFlags.SAMPLED,
    traceState: createTraceState("vendor=abc,weft=1"),
    isRemote: true,
  });
  const root = tracer.startSpan(
    "invoke_agent planner",
    {
      kind: SpanKind.SERVER,
      attributes: {
        [ATTR_WEFT_PRINCIPAL_ID]: "agent-7",
        "gen_ai.operation.name": "invoke_agent",
        ratio: 0.25,
        count: 3,
        big: 2 ** 40,
        ok: true,
        tags: ["a", "b"],
        scores: [1.5, 2, -3],
        flags: [true, false],
      },
    },
    remoteParent,
  );
  const rootCtx = trace.setSpan(remoteParent, root);
  const other = tracer.startSpan("side task", { kind: SpanKind.PRODUCER }, rootCtx);
  other.end();
  const links: Link[] = [{ context: other.spanContext(), attributes: { "link.kind": "follows" } }];
  for (let i = 0; i < 3; i++) {
    const tool = tracer.startSpan(
      `execute_tool crm.read_${i}`,
      {
        kind: SpanKind.INTERNAL,
        attributes: {
          [ATTR_WEFT_ACTION_ID]: `action-${i}`,
          [ATTR_WEFT_PRINCIPAL_ID]: i === 2 ? "agent-9" : "agent-7",
          "gen_ai.tool.name": `crm.read_${i}`,
        },
        links,
      },
      rootCtx,
    );
    const toolCtx = trace.setSpan(rootCtx, tool);
    tool.addEvent("policy.decision", { "weft.decision": "allow", rule: i });
    const http = tracer.startSpan(
      "GET",
      { kind: SpanKind.CLIENT, attributes: { "http.response.status_code": 200 } },
      toolCtx,
    );
    http.setStatus({ code: SpanStatusCode.OK });
    http.end();
    if (i === 1) tool.setStatus({ code: SpanStatusCode.ERROR, message: "driver timeout" });
    tool.end();
  }
  const consumer = tracer.startSpan("queue receive", { kind: SpanKind.CONSUMER }, rootCtx);
  consumer.end();
  root.end();
  return { traceId: root.spanContext().traceId, rootSpanId: root.spanContext().spanId };
}

function allRecords(mirror: ChainedSpanProcessor): SpanRecordV1[] {
  return [...mirror.chain.iterate()].map((r) => r.payload);
}

describe("ChainedSpanProcessor with a real SDK 3 provider and SQLite", () => {
  test("every ended span is stored after forceFlush, identical to what the exporter received; the chain verifies", async () => {
    const { exporter, mirror, provider, tracer } = setup();
    emitTrace(tracer, TRACE_A);
    emitTrace(tracer, TRACE_B);
    await provider.forceFlush();

    const exported = exporter.getFinishedSpans();
    expect(exported.length).toBe(2 * SPANS_PER_TRACE);
    const stored = allRecords(mirror);
    expect(stored.length).toBe(exported.length);
    const bySpanId = new Map(stored.map((r) => [r.span_id, r]));
    for (const span of exported) {
      expect(bySpanId.get(span.spanContext().spanId)).toEqual(expectedRecord(span));
    }
    // Spot-check the oracle itself on fields that are easy to get subtly wrong.
    const root = stored.find((r) => r.name === "invoke_agent planner")!;
    expect(root.trace_state).toBe("vendor=abc,weft=1");
    expect(root.parent_span_id).toBe("b7ad6b7169203331");
    expect(root.attributes["ratio"]).toBe(0.25);
    expect(root.start_time_unix_nano).toMatch(/^\d{19}$/);
    expect(stored.some((r) => r.status.code === "ERROR" && r.status.message === "driver timeout")).toBe(true);
    expect(
      stored.some((r) => r.links.length === 1 && r.links[0]!.attributes["link.kind"] === "follows"),
    ).toBe(true);

    const verify = mirror.store.verify("spans");
    expect(verify.ok).toBe(true);
    expect(verify.recordsChecked).toBe(2 * SPANS_PER_TRACE);
    await provider.shutdown();
  });

  test("a resource whose async detectors are still running is mirrored with its final attributes", async () => {
    // NodeSDK's host detector resolves host.id asynchronously; spans ended before it settles must
    // still carry it, as the SDK's own exporters do.
    let settle!: (id: string) => void;
    const hostId = new Promise<string>((resolve) => {
      settle = resolve;
    });
    const exporter = new InMemorySpanExporter();
    const mirror = new ChainedSpanProcessor({
      path: join(tempDir(), "audit.db"),
      storeOptions: { secret: TEST_SECRET },
      flushIntervalMs: 5,
    });
    const provider = new TracerProvider({
      resource: resourceFromAttributes({ "service.name": "async-resource", "host.id": hostId }),
      spanProcessors: [new SimpleSpanProcessor({ exporter }), mirror],
    });
    provider.getTracer("weft-test").startSpan("early span").end();
    // Give the interval timer several chances to write while the attribute is still pending.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(mirror.stats().written).toBe(0);
    settle("host-1234");
    await provider.forceFlush();
    const [record] = allRecords(mirror);
    expect(record?.resource.attributes["host.id"]).toBe("host-1234");
    expect(exporter.getFinishedSpans()[0]?.resource.attributes["host.id"]).toBe("host-1234");
    await provider.shutdown();
  });

  test("RECORD_ONLY spans, which the exporter never sees, are mirrored with sampled=false", async () => {
    const recordOnly: Sampler = {
      shouldSample: (_ctx, _traceId, name) => ({
        decision: name.startsWith("unsampled")
          ? SamplingDecision.RECORD
          : SamplingDecision.RECORD_AND_SAMPLED,
      }),
      toString: () => "record-only-for-unsampled",
    };
    const { exporter, mirror, provider, tracer } = setup({ sampler: recordOnly });
    tracer.startSpan("sampled op").end();
    tracer.startSpan("unsampled op", { attributes: { [ATTR_WEFT_ACTION_ID]: "a-1" } }).end();
    await provider.forceFlush();
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(["sampled op"]);
    const stored = allRecords(mirror);
    expect(stored.map((r) => [r.name, r.sampled])).toEqual([
      ["sampled op", true],
      ["unsampled op", false],
    ]);
    await provider.shutdown();
  });

  test("forceFlush makes spans durable: a second store handle on the same file sees them before shutdown", async () => {
    const { path, mirror, provider, tracer } = setup();
    for (let i = 0; i < 1500; i++) tracer.startSpan(`op ${i}`).end();
    await mirror.forceFlush();
    const reader = openStore({ path, secret: TEST_SECRET, readonly: true });
    try {
      expect(reader.spans.count()).toBe(1500);
      expect(reader.verify("spans").ok).toBe(true);
    } finally {
      reader.close();
    }
    await provider.shutdown();
  });

  test("a burst beyond the queue bound applies backpressure: nothing dropped, queue never exceeds its bound", async () => {
    const { mirror, provider, tracer } = setup({ maxQueueSize: 256, maxBatchSize: 64 });
    let maxSeen = 0;
    for (let i = 0; i < 5000; i++) {
      tracer.startSpan(`burst ${i}`, { attributes: { i } }).end();
      maxSeen = Math.max(maxSeen, mirror.stats().queued);
    }
    expect(maxSeen).toBeLessThanOrEqual(256);
    expect(mirror.stats().syncFlushes).toBeGreaterThan(0);
    await provider.forceFlush();
    const stats = mirror.stats();
    expect(stats.written).toBe(5000);
    expect(stats.dropped).toBe(0);
    // Order of appends follows order of onEnd.
    const order = allRecords(mirror).map((r) => r.attributes["i"]);
    expect(order).toEqual(Array.from({ length: 5000 }, (_, i) => i));
    await provider.shutdown();
  });

  test("a partial batch is written by the interval timer without any flush call", async () => {
    const path = join(tempDir(), "timer.db");
    const mirror = new ChainedSpanProcessor({
      path,
      storeOptions: { secret: TEST_SECRET },
      flushIntervalMs: 20,
    });
    const provider = new TracerProvider({ spanProcessors: [mirror] });
    provider.getTracer("t").startSpan("lonely").end();
    for (let i = 0; i < 200 && mirror.stats().written === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(mirror.stats().written).toBe(1);
    await provider.shutdown();
  });

  test("shutdown drains, closes the store it opened, is idempotent; later spans are counted, never thrown", async () => {
    const { path, mirror, provider, tracer } = setup();
    for (let i = 0; i < 10; i++) tracer.startSpan(`late ${i}`).end();
    const first = mirror.shutdown();
    const second = mirror.shutdown();
    expect(second).toBe(first);
    await first;
    expect(() => mirror.onEnd(trace.getTracer("x") as never)).not.toThrow();
    expect(mirror.stats().dropped).toBe(1);
    expect(() => mirror.chain.count()).toThrow(); // owned store is closed
    const reader = openStore({ path, secret: TEST_SECRET, readonly: true });
    expect(reader.spans.count()).toBe(10);
    reader.close();
    await provider.shutdown();
  });

  test("a store passed in stays open after shutdown (the caller owns it)", async () => {
    const store = openStore({ path: join(tempDir(), "shared.db"), secret: TEST_SECRET });
    const mirror = new ChainedSpanProcessor({ store });
    const provider = new TracerProvider({ spanProcessors: [mirror] });
    provider.getTracer("t").startSpan("one").end();
    await provider.shutdown();
    expect(store.spans.count()).toBe(1);
    store.close();
  });

  test("the span filter limits what is mirrored", async () => {
    const path = join(tempDir(), "filter.db");
    const mirror = new ChainedSpanProcessor({
      path,
      storeOptions: { secret: TEST_SECRET },
      filter: (span) => span.name.startsWith("execute_tool"),
    });
    const provider = new TracerProvider({ spanProcessors: [mirror] });
    const tracer = provider.getTracer("t");
    tracer.startSpan("GET /health").end();
    tracer.startSpan("execute_tool web.fetch").end();
    await provider.forceFlush();
    expect(allRecords(mirror).map((r) => r.name)).toEqual(["execute_tool web.fetch"]);
    await provider.shutdown();
  });

  test("bad options raise SpanMirrorConfigError with a stable code", () => {
    expect(() => new ChainedSpanProcessor({})).toThrow(SpanMirrorConfigError);
    try {
      new ChainedSpanProcessor({ path: join(tempDir(), "x.db"), maxBatchSize: 10, maxQueueSize: 5 });
      expect.unreachable();
    } catch (err) {
      expect((err as SpanMirrorConfigError).code).toBe("SPAN_MIRROR_CONFIG");
    }
  });
});

class TestReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

describe("self-metrics", () => {
  test("spans written, synchronous flushes, queue depth and last flush age are reported through the meter", async () => {
    const reader = new TestReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    const mirror = new ChainedSpanProcessor({
      path: join(tempDir(), "metrics.db"),
      storeOptions: { secret: TEST_SECRET },
      meterProvider,
      maxQueueSize: 100,
      maxBatchSize: 50,
    });
    const provider = new TracerProvider({ spanProcessors: [mirror] });
    const tracer = provider.getTracer("t");
    for (let i = 0; i < 1000; i++) tracer.startSpan("m").end();

    const before = await collect(reader);
    expect(before.get(METRIC_WEFT_SPAN_MIRROR_QUEUE_SIZE)).toBe(mirror.stats().queued);
    expect(before.get(METRIC_WEFT_SPAN_MIRROR_QUEUE_SIZE)).toBeGreaterThan(0);
    expect(before.get(METRIC_WEFT_SPAN_MIRROR_SYNC_FLUSHES)).toBe(mirror.stats().syncFlushes);
    expect(before.get(METRIC_WEFT_SPAN_MIRROR_SYNC_FLUSHES)).toBeGreaterThan(0);

    await provider.forceFlush();
    const after = await collect(reader);
    expect(after.get(METRIC_WEFT_SPAN_MIRROR_SPANS_WRITTEN)).toBe(1000);
    expect(after.get(METRIC_WEFT_SPAN_MIRROR_QUEUE_SIZE)).toBe(0);
    expect(after.get(METRIC_WEFT_SPAN_MIRROR_LAST_FLUSH_AGE)).toBeGreaterThanOrEqual(0);
    await provider.shutdown();
    await meterProvider.shutdown();
  });
});

async function collect(reader: MetricReader): Promise<Map<string, number>> {
  const { resourceMetrics } = await reader.collect();
  const out = new Map<string, number>();
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      const point = metric.dataPoints[0];
      if (point !== undefined && typeof point.value === "number")
        out.set(metric.descriptor.name, point.value);
    }
  }
  return out;
}

describe("forensic reads", () => {
  test("records are queryable by trace id, span id, action id, principal, name and time window; a trace is a tree", async () => {
    const { mirror, provider, tracer } = setup();
    const first = emitTrace(tracer, TRACE_A);
    const cutoff = new Date(Date.now() + 5);
    await new Promise((r) => setTimeout(r, 20));
    const second = emitTrace(tracer, TRACE_B);
    await provider.forceFlush();
    const spans = mirror.chain;

    const t1 = spans.query({ traceId: first.traceId }).map((r) => r.payload);
    expect(t1.length).toBe(SPANS_PER_TRACE);
    expect(new Set(t1.map((r) => r.trace_id))).toEqual(new Set([first.traceId]));

    const bySpan = spans.query({ spanId: second.rootSpanId }).map((r) => r.payload.name);
    expect(bySpan).toEqual(["invoke_agent planner"]);

    const byAction = spans.query({ actionId: "action-1" }).map((r) => r.payload);
    expect(byAction.length).toBe(2); // one per trace
    expect(byAction.every((r) => r.attributes[ATTR_WEFT_ACTION_ID] === "action-1")).toBe(true);

    const byPrincipal = spans.query({ principalId: "agent-9" }).map((r) => r.payload.name);
    expect(byPrincipal).toEqual(["execute_tool crm.read_2", "execute_tool crm.read_2"]);

    expect(spans.query({ name: "GET" }).length).toBe(6);

    const late = spans.query({ since: cutoff }).map((r) => r.payload.trace_id);
    expect(late.length).toBe(SPANS_PER_TRACE);
    expect(new Set(late)).toEqual(new Set([second.traceId]));
    const early = spans.query({ until: cutoff }).map((r) => r.payload.trace_id);
    expect(new Set(early)).toEqual(new Set([first.traceId]));

    // The remote parent is not in the store, so the server span is the root of the forest.
    const forest = spans.trace(first.traceId);
    expect(forest.map((n) => n.record.payload.name)).toEqual(["invoke_agent planner"]);
    const root = forest[0]!;
    const childNames = root.children.map((c) => c.record.payload.name).sort();
    expect(childNames).toEqual([
      "execute_tool crm.read_0",
      "execute_tool crm.read_1",
      "execute_tool crm.read_2",
      "queue receive",
      "side task",
    ]);
    for (const tool of root.children.filter((c) => c.record.payload.name.startsWith("execute_tool"))) {
      expect(tool.children.map((c) => c.record.payload.name)).toEqual(["GET"]);
    }
    await provider.shutdown();
  });
});
