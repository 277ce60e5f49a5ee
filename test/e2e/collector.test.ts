// End to end, as a user runs it: the real OpenTelemetry Collector (built from Go modules by
// scripts/build-collector) on loopback, the agent-runtime demo as a child process shipping to it,
// then the collector's OTLP JSON output compared with the chained store span by span, and the
// KernelStats metrics it received compared with the kernel's final stats.

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore, type SpanRecordV1 } from "@weft/chained-store";
import { COUNTER_METRICS, LEVEL_METRICS } from "@weft/instrumentation-kernel";
import { ATTR_WEFT_KERNEL_ID, ATTR_WEFT_REASON_CODE } from "@weft/semconv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { diffSpans, normalizeStoreSpan, parseOtlpJsonLines, summarizeDiff } from "./otlp-diff.js";
import {
  allocateCollectorPorts,
  buildCollector,
  COLLECTOR_CONFIG,
  type CollectorBuild,
  CollectorProcess,
  GATEWAY_CONFIG,
  validateConfig,
} from "./support/collector.js";
import {
  DEMO_KERNEL_ID,
  ensureWorkspaceBuilt,
  killDemos,
  readReport,
  startDemo,
  WEFT_BIN,
} from "./support/demo.js";
import { latestMetricPoints } from "./support/otlp-metrics.js";

const SECRET = "e2e-collector-test-secret-0123456789";

let build: CollectorBuild = { ok: false, reason: "not built yet" };
let work = "";

beforeAll(() => {
  build = buildCollector();
  if (!build.ok) {
    console.warn(`SKIPPED: collector end-to-end tests: ${build.reason}`);
    return;
  }
  ensureWorkspaceBuilt();
  work = mkdtempSync(join(tmpdir(), "weft-e2e-collector-"));
}, 600_000);

afterAll(() => {
  killDemos();
  if (work) rmSync(work, { recursive: true, force: true });
});

function readStoreSpans(path: string): SpanRecordV1[] {
  const store = openStore({ path, secret: SECRET, readonly: true });
  try {
    return [...store.spans.iterate()].map((r) => r.payload);
  } finally {
    store.close();
  }
}

describe("collector configs", () => {
  it("otelcol validate accepts otelcol.yaml and gateway.yaml (with its required upstream)", (ctx) => {
    if (!build.ok) return ctx.skip();
    const local = validateConfig(build.binary, COLLECTOR_CONFIG);
    expect(local.output).toBe("");
    expect(local.status).toBe(0);
    const gateway = validateConfig(build.binary, GATEWAY_CONFIG, {
      WEFT_UPSTREAM_OTLP_ENDPOINT: "http://127.0.0.1:4318",
    });
    expect(gateway.output).toBe("");
    expect(gateway.status).toBe(0);
  });

  it("otelcol validate rejects the gateway without an upstream endpoint", (ctx) => {
    if (!build.ok) return ctx.skip();
    const gateway = validateConfig(build.binary, GATEWAY_CONFIG, { WEFT_UPSTREAM_OTLP_ENDPOINT: "" });
    expect(gateway.status).not.toBe(0);
    expect(gateway.output).toMatch(/endpoint/);
  });
});

describe("agent-runtime demo shipping to a real collector", () => {
  it("every span in the chained store reached the collector unchanged, and vice versa; KernelStats metrics equal the kernel's final stats", async (ctx) => {
    if (!build.ok) return ctx.skip();
    const dir = join(work, "full-run");
    const collector = new CollectorProcess(
      build.binary,
      await allocateCollectorPorts(),
      join(dir, "otelcol"),
    );
    await collector.start();
    try {
      const reportPath = join(dir, "report.json");
      const demo = startDemo(["--out", join(dir, "demo"), "--tasks", "6", "--report-json", reportPath], {
        WEFT_SECRET: SECRET,
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint,
        OTEL_BSP_SCHEDULE_DELAY: "200",
        OTEL_METRIC_EXPORT_INTERVAL: "500",
      });
      const exit = await demo.exited;
      expect(exit, demo.stderr()).toEqual({ code: 0, signal: null });
      const report = readReport(reportPath);
      expect(report.otlp?.account.failed).toBe(0);

      // Graceful stop flushes the collector's batch processor and file exporter.
      await collector.stop();

      // --- spans: store vs collector ---
      const storeSpans = readStoreSpans(report.files.store);
      expect(storeSpans.length).toBe(report.spans.records);
      expect(report.spans.ok).toBe(true);
      expect(report.actions.ok).toBe(true);
      const diff = diffSpans(storeSpans.map(normalizeStoreSpan), parseOtlpJsonLines(collector.tracesText()));
      expect(diff.onlyInStore).toEqual([]);
      expect(diff.onlyInCollector).toEqual([]);
      expect(diff.differences, summarizeDiff(diff)).toEqual([]);
      expect(diff.matched).toBe(storeSpans.length);
      expect(report.otlp?.account.exported).toBe(storeSpans.length);

      // The same proof with the user-facing command (independent implementation in @weft/cli).
      const cli = spawnSync(
        process.execPath,
        [
          WEFT_BIN,
          "audit",
          "diff-otlp",
          join(collector.outDir, "traces.jsonl"),
          "--store",
          report.files.store,
        ],
        { encoding: "utf8", env: { ...process.env, WEFT_SECRET: SECRET } },
      );
      expect(cli.stdout + cli.stderr).toContain(`OK: ${storeSpans.length} span(s) match`);
      expect(cli.status).toBe(0);

      // The run is the realistic one the README promises: agent spans, kernel spans, HTTP client
      // spans nested under the HTTP tool's execute_tool span, denials and an expansion.
      const names = new Set(storeSpans.map((s) => s.name));
      expect(names).toContain("invoke_agent support-agent");
      expect(names).toContain("execute_tool shipping.track");
      expect(names).toContain("expand_handle crm.list_orders");
      expect(names).toContain("grant_capability crm.delete_customer");
      const httpTool = storeSpans.find((s) => s.name === "execute_tool shipping.track");
      const httpClient = storeSpans.find(
        (s) => s.kind === "CLIENT" && s.parent_span_id === httpTool?.span_id,
      );
      expect(httpClient, "an HTTP client span under the HTTP tool's span").toBeDefined();
      // Tool args travel in the request body: the URL the client span records carries none.
      expect(String(httpClient?.attributes["url.full"])).not.toContain("order_id");
      expect(report.denialsByReason).toMatchObject({ insufficient_justification: 2, missing_role: 2 });

      // --- metrics: the last exported value of every KernelStats series ---
      const points = latestMetricPoints(collector.metricsText()).filter(
        (p) => p.attributes[ATTR_WEFT_KERNEL_ID] === DEMO_KERNEL_ID,
      );
      const value = (name: string, extra: Record<string, string> = {}): number | undefined =>
        points.find((p) => p.name === name && Object.entries(extra).every(([k, v]) => p.attributes[k] === v))
          ?.value;
      for (const [field, spec] of Object.entries(COUNTER_METRICS)) {
        if (field === "denials") continue;
        expect(value(spec.name), spec.name).toBe(report.stats[field]);
      }
      const denialPoints = points.filter((p) => p.name === COUNTER_METRICS.denials.name);
      const denials = Object.fromEntries(
        denialPoints.map((p) => [p.attributes[ATTR_WEFT_REASON_CODE], p.value]),
      );
      expect(denials).toEqual(report.stats.denialsByReason);
      expect(denialPoints.reduce((sum, p) => sum + p.value, 0)).toBe(report.stats["denials"]);
      for (const [field, spec] of Object.entries(LEVEL_METRICS)) {
        expect(value(spec.name), spec.name).toBe(report.gauges[field]);
      }
      expect(report.stats["grants"]).toBeGreaterThan(0);
      expect(report.stats["expansions"]).toBeGreaterThan(0);

      // OCSF: one API Activity event per kernel span, denials included.
      const ocsf = readFileSync(report.files.ocsf, "utf8")
        .split("\n")
        .filter((l) => l.trim() !== "")
        .map((l) => JSON.parse(l) as { class_uid: number; status: string });
      expect(ocsf.length).toBe(report.ocsfEvents);
      expect(ocsf.every((e) => e.class_uid === 6003)).toBe(true);
      expect(ocsf.filter((e) => e.status === "Failure").length).toBeGreaterThanOrEqual(
        report.stats["denials"] ?? 0,
      );

      // The email addresses the agent passed as tool arguments leave no trace anywhere.
      for (const path of [
        report.files.store,
        `${report.files.store}-wal`,
        report.files.ocsf,
        join(collector.outDir, "traces.jsonl"),
      ]) {
        if (existsSync(path))
          expect(readFileSync(path).toString("latin1"), path).not.toMatch(/ada\+\d+@example\.com/);
      }
    } finally {
      await collector.kill();
    }
  });
});

describe("gateway deployment", () => {
  it("gateway.yaml forwards everything upstream unchanged: demo -> gateway -> local collector", async (ctx) => {
    if (!build.ok) return ctx.skip();
    const dir = join(work, "gateway-run");
    const upstream = new CollectorProcess(
      build.binary,
      await allocateCollectorPorts(),
      join(dir, "upstream"),
    );
    await upstream.start();
    const gatewayPorts = await allocateCollectorPorts();
    const gateway = new CollectorProcess(build.binary, gatewayPorts, join(dir, "gateway"), {
      config: GATEWAY_CONFIG,
      env: { WEFT_UPSTREAM_OTLP_ENDPOINT: upstream.endpoint },
    });
    await gateway.start();
    try {
      const reportPath = join(dir, "report.json");
      const demo = startDemo(["--out", join(dir, "demo"), "--tasks", "3", "--report-json", reportPath], {
        WEFT_SECRET: SECRET,
        OTEL_EXPORTER_OTLP_ENDPOINT: gateway.endpoint,
        OTEL_BSP_SCHEDULE_DELAY: "200",
      });
      expect(await demo.exited, demo.stderr()).toEqual({ code: 0, signal: null });
      const report = readReport(reportPath);
      // Gateway first (drains its sending queue upstream), then the upstream collector.
      await gateway.stop();
      await upstream.stop();
      const storeSpans = readStoreSpans(report.files.store);
      const diff = diffSpans(storeSpans.map(normalizeStoreSpan), parseOtlpJsonLines(upstream.tracesText()));
      expect(diff.onlyInStore).toEqual([]);
      expect(diff.onlyInCollector).toEqual([]);
      expect(diff.differences, summarizeDiff(diff)).toEqual([]);
      expect(diff.matched).toBe(storeSpans.length);
      expect(upstream.metricsText()).toContain(COUNTER_METRICS.grants.name);
    } finally {
      await gateway.kill();
      await upstream.kill();
    }
  });
});
