// Real OpenTelemetry SDK 3 wiring for the tests: an in-memory span exporter behind a
// SimpleSpanProcessor, a MeterProvider with a pull reader, and the AsyncLocalStorage context
// manager registered globally (as NodeSDK would).

import { type MeterProvider as ApiMeterProvider, context, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { type DataPoint, MeterProvider, type MetricData, MetricReader } from "@opentelemetry/sdk-metrics";
import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  TracerProvider,
} from "@opentelemetry/sdk-trace";

/** A reader the test pulls from with collect(). */
export class PullReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

export interface Otel {
  provider: TracerProvider;
  exporter: InMemorySpanExporter;
  meterProvider: ApiMeterProvider & MeterProvider;
  reader: PullReader;
  spans(): Promise<ReadableSpan[]>;
  metrics(): Promise<MetricData[]>;
  shutdown(): Promise<void>;
}

let contextManager: AsyncLocalStorageContextManager | undefined;

/** Registers the ALS context manager once per test file (idempotent). */
export function useAsyncContext(): void {
  if (contextManager !== undefined) return;
  contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
}

export function createOtel(): Otel {
  useAsyncContext();
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const reader = new PullReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  return {
    provider,
    exporter,
    meterProvider,
    reader,
    async spans() {
      await provider.forceFlush();
      return exporter.getFinishedSpans();
    },
    async metrics() {
      const { resourceMetrics, errors } = await reader.collect();
      if (errors.length > 0) throw new AggregateError(errors, "metric collection failed");
      return resourceMetrics.scopeMetrics.flatMap((s) => s.metrics);
    },
    async shutdown() {
      await provider.shutdown();
      await meterProvider.shutdown();
    },
  };
}

/** The tracer a test uses for its own (agent) spans. */
export function agentTracer(otel: Otel) {
  return otel.provider.getTracer("test-agent");
}

export function findMetric(metrics: MetricData[], name: string): MetricData {
  const metric = metrics.find((m) => m.descriptor.name === name);
  if (metric === undefined)
    throw new Error(`metric ${name} not exported; got ${metrics.map((m) => m.descriptor.name)}`);
  return metric;
}

/** Value of the data point whose attributes include all of `match`. */
export function pointValue(metric: MetricData, match: Record<string, string>): number | undefined {
  const points = metric.dataPoints as DataPoint<unknown>[];
  const point = points.find((p) => Object.entries(match).every(([k, v]) => p.attributes[k] === v));
  return point === undefined ? undefined : (point.value as number);
}

export { trace };
