// OpenTelemetry wiring, the way an application owner does it: one NodeSDK with the kernel
// instrumentation and undici, and three span pipelines side by side:
//   1. BatchSpanProcessor -> OTLP/HTTP -> a collector (only when OTEL_EXPORTER_OTLP_ENDPOINT or
//      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set; every standard OTEL_* variable applies),
//   2. ChainedSpanProcessor -> the "spans" chain of the SQLite audit store (never drops),
//   3. OCSF exporter -> a JSONL file a SIEM can ingest.
// Without an endpoint nothing leaves the machine.

import { metrics } from "@opentelemetry/api";
import { OTLPMetricExporter } from "@opentelemetry/exporter-metrics-otlp-http";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { UndiciInstrumentation } from "@opentelemetry/instrumentation-undici";
import { type MetricReader, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import { NodeSDK } from "@opentelemetry/sdk-node";
import { BatchSpanProcessor, type SpanProcessor } from "@opentelemetry/sdk-trace";
import type { ChainedStore } from "@weft/chained-store";
import { JsonlFileSink, OcsfSpanExporter } from "@weft/exporter-ocsf";
import { KernelInstrumentation } from "@weft/instrumentation-kernel";
import { ChainedSpanProcessor } from "@weft/span-processor-chained";
import { AccountingSpanExporter } from "./export-accounting.ts";

export interface TelemetryOptions {
  serviceName: string;
  store: ChainedStore;
  ocsfPath: string;
}

export interface Telemetry {
  /** Where spans and metrics go, for the report ("" = not shipped). */
  otlpEndpoint: string;
  spanMirror: ChainedSpanProcessor;
  /** Delivery accounting of the OTLP exporter; null when not shipping. */
  otlp: AccountingSpanExporter | null;
  /**
   * Flushes and stops every pipeline. Never rejects: an unreachable collector is reported in the
   * returned list (error name and code only), not thrown at the application.
   */
  shutdown(): Promise<string[]>;
}

function describeError(reason: unknown): string {
  const error = reason as { name?: unknown; code?: unknown; message?: unknown } | null;
  const code = error && typeof error.code === "string" ? ` ${error.code}` : "";
  return `${error && typeof error.name === "string" ? error.name : "Error"}${code}`;
}

function env(name: string): string {
  return (process.env[name] ?? "").trim();
}

export function startTelemetry(options: TelemetryOptions): Telemetry {
  const tracesEndpoint = env("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") || env("OTEL_EXPORTER_OTLP_ENDPOINT");
  const metricsEndpoint = env("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT") || env("OTEL_EXPORTER_OTLP_ENDPOINT");

  const spanMirror = new ChainedSpanProcessor({ store: options.store });
  const spanProcessors: SpanProcessor[] = [spanMirror];
  let otlp: AccountingSpanExporter | null = null;
  if (tracesEndpoint) {
    // No url option: the exporter reads OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT, _HEADERS, _TIMEOUT,
    // _COMPRESSION itself; the batch processor reads OTEL_BSP_*.
    otlp = new AccountingSpanExporter(new OTLPTraceExporter());
    spanProcessors.unshift(new BatchSpanProcessor({ exporter: otlp }));
  }
  const ocsf = new OcsfSpanExporter({ sink: new JsonlFileSink({ path: options.ocsfPath }) });
  spanProcessors.push(new BatchSpanProcessor({ exporter: ocsf }));

  const metricReaders: MetricReader[] = [];
  if (metricsEndpoint) {
    const configured = Number(env("OTEL_METRIC_EXPORT_INTERVAL"));
    const interval = Number.isFinite(configured) && configured > 0 ? configured : 60_000;
    metricReaders.push(
      new PeriodicExportingMetricReader({
        exporter: new OTLPMetricExporter(),
        exportIntervalMillis: interval,
        exportTimeoutMillis: Math.min(interval, 30_000),
      }),
    );
  }

  const sdk = new NodeSDK({
    // OTEL_SERVICE_NAME (read by the SDK's env detector) wins over the demo's default name.
    ...(env("OTEL_SERVICE_NAME") ? {} : { serviceName: options.serviceName }),
    instrumentations: [new KernelInstrumentation(), new UndiciInstrumentation()],
    spanProcessors,
    metricReaders,
    // The demo emits no OTel logs; an explicit empty list stops the SDK from setting up an OTLP
    // log exporter from the environment.
    logRecordProcessors: [],
  });
  sdk.start();

  return {
    otlpEndpoint: tracesEndpoint,
    spanMirror,
    otlp,
    async shutdown() {
      const errors: string[] = [];
      const collect = (results: PromiseSettledResult<unknown>[]): void => {
        for (const r of results) if (r.status === "rejected") errors.push(describeError(r.reason));
      };
      // Shuts down every provider at once (final span batches, final cumulative KernelStats).
      // If the collector is unreachable the SDK rejects as soon as the metric export fails, while
      // span processors may still be flushing: wait for each of them on its own, so the mirror
      // and the OCSF file are complete before the caller closes the store.
      collect(await Promise.allSettled([sdk.shutdown()]));
      collect(await Promise.allSettled(spanProcessors.map((p) => p.shutdown())));
      metrics.disable();
      return [...new Set(errors)];
    },
  };
}
