// Span processors and metric readers for the exporters the configuration names. Without an
// explicit endpoint the OTLP exporters read OTEL_EXPORTER_OTLP_* (endpoint, headers, timeout,
// compression, certificates) themselves, exactly as the OpenTelemetry SDK documents them.

import { OTLPMetricExporter as GrpcMetricExporter } from "@opentelemetry/exporter-metrics-otlp-grpc";
import { OTLPMetricExporter as JsonMetricExporter } from "@opentelemetry/exporter-metrics-otlp-http";
import { OTLPMetricExporter as ProtoMetricExporter } from "@opentelemetry/exporter-metrics-otlp-proto";
import { OTLPTraceExporter as GrpcTraceExporter } from "@opentelemetry/exporter-trace-otlp-grpc";
import { OTLPTraceExporter as JsonTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as ProtoTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import {
  ConsoleMetricExporter,
  type IMetricReader,
  PeriodicExportingMetricReader,
  type PushMetricExporter,
} from "@opentelemetry/sdk-metrics";
import {
  BatchSpanProcessor,
  ConsoleSpanExporter,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from "@opentelemetry/sdk-trace";
import type { OtlpProtocol, ResolvedConfig } from "./config.js";

function joinPath(base: string, path: string): string {
  return `${base.replace(/\/+$/, "")}/${path}`;
}

function otlpTraceExporter(protocol: OtlpProtocol, endpoint: string | undefined): SpanExporter {
  if (protocol === "grpc") return new GrpcTraceExporter(endpoint === undefined ? {} : { url: endpoint });
  const options = endpoint === undefined ? {} : { url: joinPath(endpoint, "v1/traces") };
  return protocol === "http/json" ? new JsonTraceExporter(options) : new ProtoTraceExporter(options);
}

function otlpMetricExporter(protocol: OtlpProtocol, endpoint: string | undefined): PushMetricExporter {
  if (protocol === "grpc") return new GrpcMetricExporter(endpoint === undefined ? {} : { url: endpoint });
  const options = endpoint === undefined ? {} : { url: joinPath(endpoint, "v1/metrics") };
  return protocol === "http/json" ? new JsonMetricExporter(options) : new ProtoMetricExporter(options);
}

export function traceProcessors(config: ResolvedConfig): SpanProcessor[] {
  return config.tracesExporters.map((name) =>
    name === "console"
      ? new SimpleSpanProcessor({ exporter: new ConsoleSpanExporter() })
      : // BatchSpanProcessor reads OTEL_BSP_* for its queue and delays.
        new BatchSpanProcessor({ exporter: otlpTraceExporter(config.tracesProtocol, config.otlpEndpoint) }),
  );
}

export function metricReaders(config: ResolvedConfig): IMetricReader[] {
  return config.metricsExporters.map(
    (name) =>
      new PeriodicExportingMetricReader({
        exporter:
          name === "console"
            ? new ConsoleMetricExporter()
            : otlpMetricExporter(config.metricsProtocol, config.otlpEndpoint),
        exportIntervalMillis: config.metricIntervalMs,
        exportTimeoutMillis: Math.min(config.metricIntervalMs, 30_000),
      }),
  );
}
