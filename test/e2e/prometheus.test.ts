// KernelStats as a real Prometheus sees them: the kernel instrumentation's asynchronous
// instruments behind @opentelemetry/exporter-prometheus on a loopback port, scraped by the
// Prometheus server from the Debian package, read back through Prometheus's HTTP query API.

import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PrometheusExporter } from "@opentelemetry/exporter-prometheus";
import { MeterProvider } from "@opentelemetry/sdk-metrics";
import { COUNTER_METRICS, KernelInstrumentation, LEVEL_METRICS } from "@weft/instrumentation-kernel";
import {
  CapabilityRegistry,
  FunctionDriver,
  HmacTokenProvider,
  HttpDriver,
  Kernel,
  PolicyDeniedError,
  type Principal,
  type StatsSnapshot,
} from "@weft/kernel";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, waitFor } from "./support/ports.js";
import { ensurePrometheus, type PrometheusInstall, PrometheusProcess } from "./support/prometheus.js";

const KERNEL_ID = `prometheus-e2e-${process.pid}`;

let install: PrometheusInstall = { ok: false, reason: "not checked yet" };
let work = "";

beforeAll(() => {
  install = ensurePrometheus();
  if (!install.ok) console.warn(`SKIPPED: Prometheus scrape test: ${install.reason}`);
  work = mkdtempSync(join(tmpdir(), "weft-e2e-prometheus-"));
}, 600_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

/** Prometheus name of an OTel counter: dots become underscores, monotonic sums get `_total`. */
function promCounterName(otelName: string): string {
  return `${otelName.replace(/[^a-zA-Z0-9_:]/g, "_")}_total`;
}

/** Drives the kernel through grants, denials (two reasons), invocations, a driver failure, an expansion. */
async function exerciseKernel(kernel: Kernel): Promise<void> {
  const writer: Principal = { principalId: "prom-agent", roles: ["writer"], attributes: { tenant: "acme" } };
  for (let i = 0; i < 4; i++) {
    const grant = kernel.grantCapability({ capabilityId: "docs.search", goal: "search" }, writer);
    const frame = await kernel.invoke(grant.token, {
      principal: writer,
      args: { q: `q${i}` },
      responseMode: "table",
    });
    if (i === 0 && frame.handle) {
      kernel.expand(frame.handle, {
        query: { offset: 0, limit: 2, fields: ["id"], filter: {} },
        principal: writer,
      });
    }
  }
  const denied: Array<[string, string | undefined]> = [
    ["docs.delete", "Cleaning up an obsolete document set"],
    ["docs.delete", "Cleaning up an obsolete document set"],
    ["docs.update", "short"],
  ];
  for (const [capabilityId, justification] of denied) {
    expect(() =>
      kernel.grantCapability(
        { capabilityId, goal: "change docs" },
        writer,
        justification ? { justification } : {},
      ),
    ).toThrow(PolicyDeniedError);
  }
  const grant = kernel.grantCapability({ capabilityId: "docs.fetch", goal: "fetch" }, writer);
  await expect(kernel.invoke(grant.token, { principal: writer, args: { id: 1 } })).rejects.toThrow(
    /HTTP 503/,
  );
}

describe("KernelStats scraped by a real Prometheus", () => {
  it("the scraped counters equal kernel.stats", async (ctx) => {
    if (!install.ok) return ctx.skip();
    // A backend that always fails, so invocation failures are counted too.
    const failing: Server = createServer((_req, res) => {
      res.statusCode = 503;
      res.end("down");
    });
    await new Promise<void>((resolve) => failing.listen(0, "127.0.0.1", resolve));
    const failingUrl = `http://127.0.0.1:${(failing.address() as AddressInfo).port}`;

    const metricsPort = await freePort();
    const exporter = new PrometheusExporter({ host: "127.0.0.1", port: metricsPort });
    const meterProvider = new MeterProvider({ readers: [exporter] });
    const instrumentation = new KernelInstrumentation({ meterProvider });
    const prometheus = new PrometheusProcess(install.binary, join(work, "prometheus"));
    try {
      const registry = new CapabilityRegistry();
      registry.register({
        capabilityId: "docs.search",
        name: "Search",
        description: "search docs",
        safetyClass: "READ",
      });
      registry.register({
        capabilityId: "docs.update",
        name: "Update",
        description: "edit docs",
        safetyClass: "WRITE",
      });
      registry.register({
        capabilityId: "docs.delete",
        name: "Delete",
        description: "delete docs",
        safetyClass: "DESTRUCTIVE",
      });
      registry.register({
        capabilityId: "docs.fetch",
        name: "Fetch",
        description: "fetch a doc",
        safetyClass: "READ",
      });
      const kernel = new Kernel({
        registry,
        kernelId: KERNEL_ID,
        tokenProvider: new HmacTokenProvider({ secret: "prometheus-e2e-secret-0123456789" }),
      });
      kernel.registerDriver(
        new FunctionDriver("docs", {
          "docs.search": async () => Array.from({ length: 8 }, (_, id) => ({ id, title: `doc ${id}` })),
        }),
      );
      kernel.registerDriver(
        new HttpDriver("docs-http", {
          baseUrl: failingUrl,
          routes: { "docs.fetch": { path: "/doc" } },
          timeoutMs: 2000,
        }),
      );
      await exerciseKernel(kernel);
      const stats: StatsSnapshot = kernel.stats;
      expect(stats.denials).toBe(3);
      expect(stats.invocationFailures).toBe(1);

      await prometheus.start(`127.0.0.1:${metricsPort}`, "weft-e2e");
      await waitFor("prometheus to scrape the app", async () =>
        (await prometheus.targetHealth()) === "up" ? true : undefined,
      );

      const query = `{__name__=~"weft_kernel_.*_total",job="weft-e2e",weft_kernel_id="${KERNEL_ID}"}`;
      const scraped = await waitFor("every KernelStats counter in prometheus", async () => {
        const series = await prometheus.query(query);
        return series.length >= Object.keys(COUNTER_METRICS).length ? series : undefined;
      });

      const byName = new Map<string, number>();
      for (const s of scraped) {
        if (s.metric["__name__"] !== promCounterName(COUNTER_METRICS.denials.name)) {
          byName.set(s.metric["__name__"] ?? "", s.value);
        }
      }
      for (const [field, spec] of Object.entries(COUNTER_METRICS)) {
        if (field === "denials") continue;
        expect(byName.get(promCounterName(spec.name)), spec.name).toBe(stats[field as keyof StatsSnapshot]);
      }
      const denials = scraped.filter(
        (s) => s.metric["__name__"] === promCounterName(COUNTER_METRICS.denials.name),
      );
      expect(Object.fromEntries(denials.map((s) => [s.metric["weft_reason_code"], s.value]))).toEqual(
        stats.denialsByReason,
      );
      expect(stats.denialsByReason).toEqual({ missing_role: 2, insufficient_justification: 1 });

      // The names the instrumentation README documents for this (JS) exporter: dots become
      // underscores, monotonic counters get _total, and no unit suffix is added.
      const job = `job="weft-e2e",weft_kernel_id="${KERNEL_ID}"`;
      const histogram = await waitFor("gen_ai.execute_tool.duration in prometheus", async () => {
        const series = await prometheus.query(`gen_ai_execute_tool_duration_count{${job}}`);
        return series.length > 0 ? series : undefined;
      });
      const search = histogram.find((x) => x.metric["gen_ai_tool_name"] === "docs.search");
      expect(search?.metric).toMatchObject({
        gen_ai_tool_type: "function",
        gen_ai_operation_name: "execute_tool",
      });
      expect(search?.value).toBeGreaterThan(0);
      expect(
        (await prometheus.query(`gen_ai_execute_tool_duration_bucket{${job},le="+Inf"}`)).length,
      ).toBeGreaterThan(0);
      for (const absent of [
        "gen_ai_execute_tool_duration_seconds_count",
        "weft_kernel_invoke_duration_count",
        "weft_kernel_handles_live",
      ]) {
        expect([absent, (await prometheus.query(`${absent}{${job}}`)).length]).toEqual([absent, 0]);
      }
      const gauges = kernel.gauges();
      for (const [field, spec] of Object.entries(LEVEL_METRICS)) {
        // UpDownCounters: no _total.
        const series = await prometheus.query(`${spec.name.replace(/\./g, "_")}{${job}}`);
        expect([spec.name, series[0]?.value]).toEqual([spec.name, gauges[field as keyof typeof gauges]]);
      }
    } finally {
      await prometheus.stop();
      instrumentation.disable();
      await meterProvider.shutdown();
      await new Promise<void>((resolve) => failing.close(() => resolve()));
    }
  });
});
