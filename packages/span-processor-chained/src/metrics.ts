// Self-metrics of the span mirror. Counters are bumped once per batch, never per span, so the
// hot path pays nothing; gauges are read by the meter's collection cycle.

import type { Attributes, BatchObservableCallback, Counter, Meter, MeterProvider } from "@opentelemetry/api";
import { metrics } from "@opentelemetry/api";
import {
  METER_NAME,
  METRIC_ATTR_CHAIN,
  METRIC_ATTR_DROP_REASON,
  METRIC_LAST_FLUSH_AGE,
  METRIC_QUEUE_DEPTH,
  METRIC_SPANS_DROPPED,
  METRIC_SPANS_WRITTEN,
  METRIC_SYNC_FLUSHES,
  METRIC_WRITE_ERRORS,
} from "./attributes.js";

/** `unstorable`: a valid span the store cannot hold as is (e.g. a start time past 2262). */
export type DropReason = "queue_full" | "shutdown" | "invalid_span" | "unstorable";

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
    this.#attrs = { [METRIC_ATTR_CHAIN]: chain };
    const meter = (meterProvider ?? metrics.getMeterProvider()).getMeter(METER_NAME);
    this.#meter = meter;
    this.#written = meter.createCounter(METRIC_SPANS_WRITTEN, {
      unit: "{span}",
      description: "Spans appended to the chained store",
    });
    this.#syncFlushes = meter.createCounter(METRIC_SYNC_FLUSHES, {
      unit: "{flush}",
      description: "Batches written synchronously in onEnd because the queue was full (backpressure)",
    });
    this.#writeErrors = meter.createCounter(METRIC_WRITE_ERRORS, {
      unit: "{error}",
      description: "Failed batch appends; the batch stays queued and is retried",
    });
    this.#dropped = meter.createCounter(METRIC_SPANS_DROPPED, {
      unit: "{span}",
      description: "Spans never written: store failing with a full queue, or unwritten at shutdown",
    });
    const depth = meter.createObservableGauge(METRIC_QUEUE_DEPTH, {
      unit: "{span}",
      description: "Spans waiting to be written to the chained store",
    });
    const age = meter.createObservableGauge(METRIC_LAST_FLUSH_AGE, {
      unit: "s",
      description: "Seconds since the last successful append to the chained store",
    });
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
    this.#dropped.add(n, { ...this.#attrs, [METRIC_ATTR_DROP_REASON]: reason });
  }
  /** Detaches the gauges so a shut-down processor is not kept alive by the meter. */
  close(): void {
    this.#meter.removeBatchObservableCallback(this.#callback, this.#observables);
  }
}
