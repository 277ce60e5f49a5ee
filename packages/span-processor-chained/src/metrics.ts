// Self-metrics of the span mirror. Counters are bumped once per batch, never per span, so the
// hot path pays nothing; levels are read by the meter's collection cycle.

import type { Attributes, BatchObservableCallback, Counter, Meter, MeterProvider } from "@opentelemetry/api";
import { metrics } from "@opentelemetry/api";
import {
  ATTR_WEFT_CHAIN,
  ATTR_WEFT_DROP_REASON,
  METRIC_WEFT_SPAN_MIRROR_LAST_FLUSH_AGE,
  METRIC_WEFT_SPAN_MIRROR_QUEUE_SIZE,
  METRIC_WEFT_SPAN_MIRROR_SPANS_DROPPED,
  METRIC_WEFT_SPAN_MIRROR_SPANS_WRITTEN,
  METRIC_WEFT_SPAN_MIRROR_SYNC_FLUSHES,
  METRIC_WEFT_SPAN_MIRROR_WRITE_ERRORS,
  type MetricDefinition,
  metricDefinition,
  SCOPE_SPAN_PROCESSOR_CHAINED,
  type WEFT_DROP_REASON_VALUE_INVALID_SPAN,
  type WEFT_DROP_REASON_VALUE_QUEUE_FULL,
  type WEFT_DROP_REASON_VALUE_SHUTDOWN,
  type WEFT_DROP_REASON_VALUE_UNSTORABLE,
} from "@weft/semconv";

/** Unit and description of a metric, from its definition in @weft/semconv. */
function options(name: string): Pick<MetricDefinition, "unit" | "description"> {
  const { unit, description } = metricDefinition(name);
  return { unit, description };
}

export type DropReason =
  | typeof WEFT_DROP_REASON_VALUE_QUEUE_FULL
  | typeof WEFT_DROP_REASON_VALUE_SHUTDOWN
  | typeof WEFT_DROP_REASON_VALUE_INVALID_SPAN
  /** A record the store cannot hold as is (e.g. a start time past 2262), set aside. */
  | typeof WEFT_DROP_REASON_VALUE_UNSTORABLE;

export interface MirrorGauges {
  queueDepth(): number;
  /** Seconds since the last successful append (since start when none yet). */
  lastFlushAgeSeconds(): number;
}

export class MirrorMetrics {
  readonly #attrs: Attributes;
  readonly #written: Counter;
  readonly #syncFlushes: Counter;
  readonly #writeErrors: Counter;
  readonly #dropped: Counter;
  readonly #meter: Meter;
  readonly #callback: BatchObservableCallback;
  readonly #observables: Parameters<Meter["removeBatchObservableCallback"]>[1];

  constructor(chain: string, gauges: MirrorGauges, meterProvider?: MeterProvider) {
    this.#attrs = { [ATTR_WEFT_CHAIN]: chain };
    const meter = (meterProvider ?? metrics.getMeterProvider()).getMeter(SCOPE_SPAN_PROCESSOR_CHAINED);
    this.#meter = meter;
    this.#written = meter.createCounter(
      METRIC_WEFT_SPAN_MIRROR_SPANS_WRITTEN,
      options(METRIC_WEFT_SPAN_MIRROR_SPANS_WRITTEN),
    );
    this.#syncFlushes = meter.createCounter(
      METRIC_WEFT_SPAN_MIRROR_SYNC_FLUSHES,
      options(METRIC_WEFT_SPAN_MIRROR_SYNC_FLUSHES),
    );
    this.#writeErrors = meter.createCounter(
      METRIC_WEFT_SPAN_MIRROR_WRITE_ERRORS,
      options(METRIC_WEFT_SPAN_MIRROR_WRITE_ERRORS),
    );
    this.#dropped = meter.createCounter(
      METRIC_WEFT_SPAN_MIRROR_SPANS_DROPPED,
      options(METRIC_WEFT_SPAN_MIRROR_SPANS_DROPPED),
    );
    const depth = meter.createObservableUpDownCounter(
      METRIC_WEFT_SPAN_MIRROR_QUEUE_SIZE,
      options(METRIC_WEFT_SPAN_MIRROR_QUEUE_SIZE),
    );
    const age = meter.createObservableGauge(
      METRIC_WEFT_SPAN_MIRROR_LAST_FLUSH_AGE,
      options(METRIC_WEFT_SPAN_MIRROR_LAST_FLUSH_AGE),
    );
    const attrs = this.#attrs;
    this.#callback = (result) => {
      result.observe(depth, gauges.queueDepth(), attrs);
      result.observe(age, gauges.lastFlushAgeSeconds(), attrs);
    };
    this.#observables = [depth, age];
    meter.addBatchObservableCallback(this.#callback, this.#observables);
  }

  written(n: number): void {
    this.#written.add(n, this.#attrs);
  }
  syncFlush(): void {
    this.#syncFlushes.add(1, this.#attrs);
  }
  writeError(): void {
    this.#writeErrors.add(1, this.#attrs);
  }
  dropped(n: number, reason: DropReason): void {
    this.#dropped.add(n, { ...this.#attrs, [ATTR_WEFT_DROP_REASON]: reason });
  }
  /** Detaches the gauges so a shut-down processor is not kept alive by the meter. */
  close(): void {
    this.#meter.removeBatchObservableCallback(this.#callback, this.#observables);
  }
}
