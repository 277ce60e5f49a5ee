// @weft/instrumentation-kernel under OpenTelemetry SDK 2.x (sdk-trace-base / sdk-metrics 2.12,
// api 1.9): spans with parentage and the active context inside the driver, and KernelStats metrics.

import { context, SpanStatusCode, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { KernelInstrumentation } from "@weft/instrumentation-kernel";
import { CapabilityRegistry, FunctionDriver, Kernel, type Principal } from "@weft/kernel";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

process.env.WEFT_SECRET ??= "sdk2-instrumentation-test-secret-0123456789";

class PullReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

describe("KernelInstrumentation on SDK 2.x", () => {
  const exporter = new InMemorySpanExporter();
  // SDK 2 API: positional processor arguments, `spanProcessors` option, BasicTracerProvider.
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const reader = new PullReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const contextManager = new AsyncLocalStorageContextManager();
  let instrumentation: KernelInstrumentation;

  beforeAll(() => {
    context.setGlobalContextManager(contextManager.enable());
    instrumentation = new KernelInstrumentation({ tracerProvider: provider, meterProvider });
  });
  afterAll(async () => {
    instrumentation.disable();
    context.disable();
    await provider.shutdown();
    await meterProvider.shutdown();
  });

  it("creates execute_tool under the caller's span, active inside the driver; metrics match stats", async () => {
    const registry = new CapabilityRegistry();
    registry.register({
      capabilityId: "sdk2.lookup",
      name: "Lookup",
      description: "Looks up",
      safetyClass: "READ",
      sensitivity: "NONE",
      tags: [],
    });
    registry.register({
      capabilityId: "sdk2.broken",
      name: "Broken",
      description: "Fails",
      safetyClass: "READ",
      sensitivity: "NONE",
      tags: [],
    });
    const kernel = new Kernel({ registry, kernelId: "k-sdk2" });
    const driverTracer = provider.getTracer("driver");
    kernel.registerDriver(
      new FunctionDriver("memory", {
        "sdk2.lookup": async () => {
          await new Promise((resolve) => setTimeout(resolve, 1));
          driverTracer.startSpan("db.query").end();
          return [{ id: 1 }];
        },
        "sdk2.broken": async () => {
          throw new Error("down");
        },
      }),
    );
    const principal: Principal = { principalId: "agent-sdk2", roles: [], attributes: {} };
    const lookup = kernel.grantCapability(
      { capabilityId: "sdk2.lookup", goal: "x", constraints: {} },
      principal,
      {
        justification: "",
      },
    );
    const broken = kernel.grantCapability(
      { capabilityId: "sdk2.broken", goal: "x", constraints: {} },
      principal,
      {
        justification: "",
      },
    );

    const agent = provider.getTracer("agent");
    await agent.startActiveSpan("invoke_agent sdk2", async (root) => {
      await Promise.all([
        kernel.invoke(lookup.token, { principal, args: { q: 1 } }),
        kernel.invoke(lookup.token, { principal, args: { q: 2 } }),
      ]);
      await expect(kernel.invoke(broken.token, { principal, args: {} })).rejects.toThrow();
      root.end();
    });
    expect(trace.getActiveSpan()).toBeUndefined();

    await provider.forceFlush();
    const spans = exporter.getFinishedSpans();
    // SDK 2 exposes the parent as `parentSpanContext` (2.x) — fall back to `parentSpanId` for older 2.x.
    const parentId = (s: (typeof spans)[number]) =>
      s.parentSpanContext?.spanId ?? (s as unknown as { parentSpanId?: string }).parentSpanId;
    const root = spans.find((s) => s.name === "invoke_agent sdk2");
    const tools = spans.filter((s) => s.name === "execute_tool sdk2.lookup");
    expect(tools).toHaveLength(2);
    for (const tool of tools) {
      expect(parentId(tool)).toBe(root?.spanContext().spanId);
      expect(tool.attributes).toMatchObject({
        "gen_ai.operation.name": "execute_tool",
        "gen_ai.tool.name": "sdk2.lookup",
        "weft.kernel.id": "k-sdk2",
        "weft.principal.id": "agent-sdk2",
        "weft.token.id": lookup.token.tokenId,
      });
    }
    const queries = spans.filter((s) => s.name === "db.query");
    expect(queries.map(parentId).sort()).toEqual(tools.map((t) => t.spanContext().spanId).sort());
    const failed = spans.find((s) => s.name === "execute_tool sdk2.broken");
    expect(failed?.status.code).toBe(SpanStatusCode.ERROR);
    expect(failed?.attributes["error.type"]).toBe("DRIVER_ERROR");
    expect(spans.filter((s) => s.name.startsWith("grant_capability"))).toHaveLength(2);

    const { resourceMetrics } = await reader.collect();
    const metrics = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics);
    const value = (name: string) =>
      metrics
        .find((m) => m.descriptor.name === name)
        ?.dataPoints.find((p) => p.attributes["weft.kernel.id"] === "k-sdk2")?.value;
    expect(value("weft.kernel.grants")).toBe(kernel.stats.grants);
    expect(value("weft.kernel.invocations")).toBe(kernel.stats.invocations);
    expect(value("weft.kernel.invocation.failures")).toBe(kernel.stats.invocationFailures);
    expect(value("weft.kernel.trace_store.trace.count")).toBe(kernel.gauges().traceStoreSize);
    expect(kernel.stats.invocations).toBe(3);
  });
});
