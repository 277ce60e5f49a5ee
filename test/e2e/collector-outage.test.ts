// The collector crashes in the middle of a run (SIGKILL) and comes back on the same ports. The
// application must not notice, the chained store must hold every span regardless, and every span
// ended during the outage must either reach the restarted collector within the OTLP exporter's
// retry window or be counted as failed by the exporter (and still be in the store).

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore, type SpanRecordV1 } from "@weft/chained-store";
import { COUNTER_METRICS } from "@weft/instrumentation-kernel";
import { ATTR_WEFT_KERNEL_ID } from "@weft/semconv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { diffSpans, normalizeStoreSpan, parseOtlpJsonLines, summarizeDiff } from "./otlp-diff.js";
import {
  allocateCollectorPorts,
  buildCollector,
  type CollectorBuild,
  CollectorProcess,
} from "./support/collector.js";
import { DEMO_KERNEL_ID, ensureWorkspaceBuilt, killDemos, readReport, startDemo } from "./support/demo.js";
import { latestMetricPoints } from "./support/otlp-metrics.js";
import { waitFor } from "./support/ports.js";

const SECRET = "e2e-outage-test-secret-0123456789abcdef";

let build: CollectorBuild = { ok: false, reason: "not built yet" };
let work = "";

beforeAll(() => {
  build = buildCollector();
  if (!build.ok) {
    console.warn(`SKIPPED: collector outage test: ${build.reason}`);
    return;
  }
  ensureWorkspaceBuilt();
  work = mkdtempSync(join(tmpdir(), "weft-e2e-outage-"));
}, 600_000);

afterAll(() => {
  killDemos();
  if (work) rmSync(work, { recursive: true, force: true });
});

const key = (s: { traceId: string; spanId: string }): string => `${s.traceId}/${s.spanId}`;

describe("collector outage during a run", () => {
  it("the app keeps running, the store stays complete, outage spans arrive late or are counted as failed", async (ctx) => {
    if (!build.ok) return ctx.skip();
    const ports = await allocateCollectorPorts();
    const first = new CollectorProcess(build.binary, ports, join(work, "otelcol-first"));
    const second = new CollectorProcess(build.binary, ports, join(work, "otelcol-second"));
    const reportPath = join(work, "report.json");
    await first.start();
    const demo = startDemo(
      ["--out", join(work, "demo"), "--tasks", "3", "--step", "--report-json", reportPath],
      {
        WEFT_SECRET: SECRET,
        OTEL_EXPORTER_OTLP_ENDPOINT: first.endpoint,
        OTEL_BSP_SCHEDULE_DELAY: "100",
        // Metrics are exported only at shutdown, so the only exports during the outage are spans.
        OTEL_METRIC_EXPORT_INTERVAL: "600000",
        // Verbose diag output is how the test sees the span exporter scheduling a retry.
        OTEL_LOG_LEVEL: "verbose",
      },
    );
    try {
      // Task 1 with the collector up: wait until its root span is in the collector's file (the
      // root ends last, so the whole task has been exported by then).
      await demo.waitForLine(/^weft-demo: task 1 done/);
      await waitFor("task 1 in the first collector's output", () =>
        parseOtlpJsonLines(first.tracesText()).some((s) => s.name.startsWith("invoke_agent"))
          ? true
          : undefined,
      );
      await first.kill();
      const beforeOutage = new Set(parseOtlpJsonLines(first.tracesText()).map(key));

      // Task 2 while the collector is dead; wait until an export has failed and a retry is scheduled.
      demo.sendLine("continue");
      await demo.waitForLine(/^weft-demo: task 2 done/);
      await waitFor("the OTLP exporter to schedule a retry", () =>
        /Scheduling export retry/.test(demo.stdout() + demo.stderr()) ? true : undefined,
      );

      // Same ports, new output directory: what arrives now arrived after the outage.
      await second.start();
      demo.sendLine("continue");
      await demo.waitForLine(/^weft-demo: task 3 done/);
      demo.sendLine("continue");
      const exit = await demo.exited;
      expect(exit, demo.stderr()).toEqual({ code: 0, signal: null });
      await second.stop();

      const report = readReport(reportPath);
      // No error reached the application: every task ran every planned step.
      expect(report.outcomes.failed).toBe(0);
      expect(report.spans.ok).toBe(true);
      expect(report.actions.ok).toBe(true);
      expect(demo.stderr()).not.toMatch(/Unhandled|uncaught|TypeError|ReferenceError/i);

      const store = openStore({ path: report.files.store, secret: SECRET, readonly: true });
      let storeSpans: SpanRecordV1[];
      try {
        storeSpans = [...store.spans.iterate()].map((r) => r.payload);
      } finally {
        store.close();
      }
      const account = report.otlp?.account;
      expect(account).toBeDefined();
      if (!account) return;

      // The store is complete: every span the SDK handed to the OTLP pipeline is in it.
      expect(storeSpans.length).toBe(account.exported + account.failed);
      expect(storeSpans.length).toBe(report.spans.records);
      const traces = new Map<string, number>();
      for (const s of storeSpans) traces.set(s.trace_id, (traces.get(s.trace_id) ?? 0) + 1);
      expect([...traces.keys()].sort()).toEqual([...report.traceIds].sort());

      // What the collectors hold is exactly what the store holds, minus what the exporter
      // reports as failed; matched spans are identical field by field.
      const collected = [
        ...parseOtlpJsonLines(first.tracesText()),
        ...parseOtlpJsonLines(second.tracesText()),
      ];
      const diff = diffSpans(storeSpans.map(normalizeStoreSpan), collected);
      expect(diff.onlyInCollector).toEqual([]);
      expect(diff.differences, summarizeDiff(diff)).toEqual([]);
      expect(diff.onlyInStore.map(key).sort()).toEqual([...account.failedSpanIds].sort());

      // Spans of task 2 ended while the collector was down: none reached the first collector;
      // each reached the second one or is counted as failed.
      const outageTrace = report.traceIds[1];
      const outageSpans = storeSpans.filter((s) => s.trace_id === outageTrace);
      expect(outageSpans.length).toBeGreaterThan(0);
      const late = new Set(parseOtlpJsonLines(second.tracesText()).map(key));
      const failed = new Set(account.failedSpanIds);
      for (const s of outageSpans) {
        const k = `${s.trace_id}/${s.span_id}`;
        expect(beforeOutage.has(k)).toBe(false);
        expect(late.has(k) || failed.has(k), `${s.name} arrived late or is counted as failed`).toBe(true);
      }
      // Cumulative metrics lose nothing to the outage: the restarted collector has the final values.
      const grants = latestMetricPoints(second.metricsText()).find(
        (p) => p.name === COUNTER_METRICS.grants.name && p.attributes[ATTR_WEFT_KERNEL_ID] === DEMO_KERNEL_ID,
      );
      expect(grants?.value).toBe(report.stats["grants"]);

      console.log(
        `outage: ${outageSpans.length} span(s) ended while the collector was down; ` +
          `${outageSpans.filter((s) => late.has(`${s.trace_id}/${s.span_id}`)).length} arrived after the restart, ` +
          `${account.failed} counted as failed by the exporter; store holds ${storeSpans.length}`,
      );
    } finally {
      demo.child.kill("SIGKILL");
      await first.kill();
      await second.kill();
    }
  });

  it("with no collector at all the app still exits 0, every span is in the store and counted as failed", async (ctx) => {
    if (!build.ok) return ctx.skip();
    const ports = await allocateCollectorPorts();
    const reportPath = join(work, "unreachable-report.json");
    const demo = startDemo(
      ["--out", join(work, "unreachable"), "--tasks", "2", "--report-json", reportPath],
      {
        WEFT_SECRET: SECRET,
        // A free port nobody listens on: every export is refused.
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${ports.http}`,
        OTEL_EXPORTER_OTLP_TIMEOUT: "1500",
        OTEL_BSP_SCHEDULE_DELAY: "100",
      },
    );
    const exit = await demo.exited;
    expect(exit, demo.stderr()).toEqual({ code: 0, signal: null });
    const report = readReport(reportPath);
    expect(report.outcomes.failed).toBe(0);
    expect(report.spans.ok).toBe(true);
    expect(report.otlp?.account.exported).toBe(0);
    expect(report.otlp?.account.failed).toBe(report.spans.records);
    expect(report.otlp?.account.lastError).toMatch(/ECONNREFUSED/);
    expect(demo.stdout()).toContain("chain verified OK");
  });
});
