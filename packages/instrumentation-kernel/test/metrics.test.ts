// KernelStats as asynchronous instruments: after a scripted workload on two kernels, every
// exported value equals what kernel.stats / kernel.gauges() say, per weft.kernel.id.

import { DataPointType, type HistogramMetricData } from "@opentelemetry/sdk-metrics";
import type { Kernel } from "@weft/kernel";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { COUNTER_METRICS, KernelInstrumentation, LEVEL_METRICS, TOOL_DURATION_METRIC } from "../src/index.js";
import { FAILING, grantRead, makeKernel, reader, WRITE, writer } from "./kernel-fixture.js";
import { createOtel, findMetric, type Otel, pointValue } from "./otel.js";

async function workload(kernel: Kernel, scale: number): Promise<number> {
  let invokeCalls = 0;
  for (let i = 0; i < scale; i++) {
    const { token } = grantRead(kernel);
    const frame = await kernel.invoke(token, { principal: reader, args: { i } });
    invokeCalls++;
    if (frame.handle != null) kernel.expand(frame.handle, { query: { limit: 1 }, principal: reader });
    expect(() =>
      kernel.grantCapability({ capabilityId: WRITE, goal: "update", constraints: {} }, reader, {
        justification: "updating the customer record",
      }),
    ).toThrow();
  }
  // A denial for a second reason: a writer with too short a justification.
  expect(() =>
    kernel.grantCapability({ capabilityId: WRITE, goal: "update", constraints: {} }, writer, {
      justification: "x",
    }),
  ).toThrow();
  const flaky = kernel.grantCapability({ capabilityId: FAILING, goal: "try", constraints: {} }, reader, {
    justification: "",
  });
  await expect(kernel.invoke(flaky.token, { principal: reader, args: {} })).rejects.toThrow();
  invokeCalls++;
  kernel.revokeToken(flaky.token.tokenId);
  await expect(kernel.invoke(flaky.token, { principal: reader, args: {} })).rejects.toThrow();
  invokeCalls++;
  return invokeCalls;
}

describe("metrics", () => {
  let otel: Otel;
  let instrumentation: KernelInstrumentation;

  beforeEach(() => {
    otel = createOtel();
    instrumentation = new KernelInstrumentation({
      tracerProvider: otel.provider,
      meterProvider: otel.meterProvider,
    });
  });
  afterEach(async () => {
    instrumentation.disable();
    await otel.shutdown();
  });

  it("every KernelStats counter and gauge equals the kernel's own numbers, per kernel", async () => {
    const kernels = [makeKernel("k-metrics-a"), makeKernel("k-metrics-b")];
    const calls = [await workload(kernels[0] as Kernel, 3), await workload(kernels[1] as Kernel, 5)];
    const metrics = await otel.metrics();

    for (const [index, kernel] of kernels.entries()) {
      const id = { "weft.kernel.id": kernel.id };
      const stats = kernel.stats;
      for (const [field, spec] of Object.entries(COUNTER_METRICS)) {
        const metric = findMetric(metrics, spec.name);
        expect(metric.descriptor.unit).toBe(spec.unit);
        if (field === "denials") continue;
        expect(pointValue(metric, id) ?? 0, spec.name).toBe(stats[field as keyof typeof stats]);
      }
      const denials = findMetric(metrics, COUNTER_METRICS.denials.name);
      expect(Object.keys(stats.denialsByReason).length).toBeGreaterThanOrEqual(2);
      for (const [reason, count] of Object.entries(stats.denialsByReason)) {
        expect(pointValue(denials, { ...id, "weft.reason_code": reason })).toBe(count);
      }
      const gauges = kernel.gauges();
      for (const [field, spec] of Object.entries(LEVEL_METRICS)) {
        expect(pointValue(findMetric(metrics, spec.name), id), spec.name).toBe(
          gauges[field as keyof typeof gauges],
        );
      }
      for (const spec of Object.values(LEVEL_METRICS)) {
        // Levels are additive counts: UpDownCounters, never gauges.
        const level = findMetric(metrics, spec.name);
        expect([spec.name, level.dataPointType, "isMonotonic" in level && level.isMonotonic]).toEqual([
          spec.name,
          DataPointType.SUM,
          false,
        ]);
      }
      // gen_ai.execute_tool.duration saw every invoke call, successful or not, in seconds.
      const duration = findMetric(metrics, "gen_ai.execute_tool.duration") as HistogramMetricData;
      expect(duration.descriptor.unit).toBe("s");
      const points = duration.dataPoints.filter((p) => p.attributes["weft.kernel.id"] === kernel.id);
      for (const p of points) {
        expect(p.attributes).toMatchObject({
          "gen_ai.operation.name": "execute_tool",
          "gen_ai.tool.type": "function",
        });
        expect(typeof p.attributes["gen_ai.tool.name"]).toBe("string");
        expect(p.attributes["weft.capability.id"]).toBeUndefined();
      }
      expect(points.reduce((n, p) => n + p.value.count, 0)).toBe(calls[index]);
      const failed = points.filter((p) => p.attributes["error.type"] !== undefined);
      expect(failed.map((p) => p.attributes["error.type"]).sort()).toEqual(
        expect.arrayContaining(["TOKEN_REVOKED"]),
      );
      expect(Math.max(...points.map((p) => p.value.max ?? 0))).toBeLessThan(60);
    }
    // Sanity: the workload really exercised the counters compared above.
    expect(kernels[1]?.stats).toMatchObject({ grants: 6, invocationFailures: 1, expansions: 5 });
  });

  it("follows OTel naming: dotted lowercase names, no _total, unit in `unit`", async () => {
    const specs = [...Object.values(COUNTER_METRICS), ...Object.values(LEVEL_METRICS), TOOL_DURATION_METRIC];
    for (const { name, unit } of specs) {
      expect(name).toMatch(/^(weft\.kernel|gen_ai)(\.[a-z][a-z0-9_]*)+$/);
      expect(name).not.toMatch(/_total$|seconds|_s$/);
      expect(unit).toMatch(/^(s|\{[a-z]+\})$/);
    }
    expect(new Set(specs.map((s) => s.name)).size).toBe(specs.length);
  });

  it("a reset kernel reports the reset values; a disabled instrumentation stops reading kernels", async () => {
    const kernel = makeKernel("k-metrics-reset");
    const { token } = grantRead(kernel);
    await kernel.invoke(token, { principal: reader, args: {} });
    const id = { "weft.kernel.id": kernel.id };
    const invocations = async () =>
      pointValue(findMetric(await otel.metrics(), COUNTER_METRICS.invocations.name), id);
    expect(await invocations()).toBe(1);
    kernel.resetStats();
    expect(await invocations()).toBe(0);
    await kernel.invoke(token, { principal: reader, args: {} });
    expect(await invocations()).toBe(1);
    // Disabled: the collection callback no longer reads the kernel (the SDK keeps the last point).
    instrumentation.disable();
    await kernel.invoke(token, { principal: reader, args: {} });
    expect(kernel.stats.invocations).toBe(2);
    expect(await invocations()).toBe(1);
    instrumentation.enable();
    expect(await invocations()).toBe(2);
  });
});
