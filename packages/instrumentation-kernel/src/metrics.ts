// KernelStats as asynchronous instruments: the kernel already counts, so collection reads the
// counters of every live kernel (one series per weft.kernel.id) instead of the instrumentation
// counting a second time on the hot path. Only invoke durations are recorded as they happen.

import {
  type Attributes,
  type BatchObservableCallback,
  type BatchObservableResult,
  createNoopMeter,
  type Histogram,
  type Meter,
  type Observable,
  type ObservableCounter,
  type ObservableUpDownCounter,
} from "@opentelemetry/api";
import { liveKernels } from "@weft/kernel";
import {
  ATTR_WEFT_KERNEL_ID,
  ATTR_WEFT_REASON_CODE,
  METRIC_GEN_AI_EXECUTE_TOOL_DURATION,
  METRIC_WEFT_KERNEL_BUDGET_DOWNGRADES,
  METRIC_WEFT_KERNEL_DENIALS,
  METRIC_WEFT_KERNEL_EXPANSIONS,
  METRIC_WEFT_KERNEL_FALLBACK_ACTIVATIONS,
  METRIC_WEFT_KERNEL_GRANTS,
  METRIC_WEFT_KERNEL_HANDLE_COUNT,
  METRIC_WEFT_KERNEL_HANDLE_STORES,
  METRIC_WEFT_KERNEL_INVOCATION_FAILURES,
  METRIC_WEFT_KERNEL_INVOCATIONS,
  METRIC_WEFT_KERNEL_REDACTION_EVENTS,
  METRIC_WEFT_KERNEL_REVOCATION_COUNT,
  METRIC_WEFT_KERNEL_TRACE_STORE_TRACE_COUNT,
  type MetricDefinition,
  metricDefinition,
  WEFT_REASON_CODE_VALUE_UNSPECIFIED,
} from "@weft/semconv";

/** Monotonic KernelStats counters, keyed by their `StatsSnapshot` field. */
export const COUNTER_METRICS = {
  grants: metricDefinition(METRIC_WEFT_KERNEL_GRANTS),
  denials: metricDefinition(METRIC_WEFT_KERNEL_DENIALS),
  invocations: metricDefinition(METRIC_WEFT_KERNEL_INVOCATIONS),
  invocationFailures: metricDefinition(METRIC_WEFT_KERNEL_INVOCATION_FAILURES),
  fallbackActivations: metricDefinition(METRIC_WEFT_KERNEL_FALLBACK_ACTIVATIONS),
  redactionEvents: metricDefinition(METRIC_WEFT_KERNEL_REDACTION_EVENTS),
  budgetDowngrades: metricDefinition(METRIC_WEFT_KERNEL_BUDGET_DOWNGRADES),
  handleStores: metricDefinition(METRIC_WEFT_KERNEL_HANDLE_STORES),
  expansions: metricDefinition(METRIC_WEFT_KERNEL_EXPANSIONS),
} as const satisfies Record<string, MetricDefinition>;

/** Levels from `kernel.gauges()` (observable UpDownCounters), keyed by their field. */
export const LEVEL_METRICS = {
  traceStoreSize: metricDefinition(METRIC_WEFT_KERNEL_TRACE_STORE_TRACE_COUNT),
  liveHandles: metricDefinition(METRIC_WEFT_KERNEL_HANDLE_COUNT),
  trackedRevocations: metricDefinition(METRIC_WEFT_KERNEL_REVOCATION_COUNT),
} as const satisfies Record<string, MetricDefinition>;

/** The per-call tool duration histogram, `gen_ai.execute_tool.duration`. */
export const TOOL_DURATION_METRIC = metricDefinition(METRIC_GEN_AI_EXECUTE_TOOL_DURATION);

/** Explicit buckets in seconds: tool calls span sub-millisecond local reads to slow HTTP calls. */
export const INVOKE_DURATION_BUCKETS = [
  0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];

type CounterField = keyof typeof COUNTER_METRICS;
type LevelField = keyof typeof LEVEL_METRICS;

const COUNTER_FIELDS = Object.keys(COUNTER_METRICS) as CounterField[];
const LEVEL_FIELDS = Object.keys(LEVEL_METRICS) as LevelField[];

/** What one kernel contributes at collection time, summed over kernels sharing an id. */
interface KernelReading {
  counters: Record<CounterField, number>;
  denialsByReason: Map<string, number>;
  gauges: Record<LevelField, number>;
}

export class KernelMetrics {
  readonly #meter: Meter;
  readonly #counters: Record<CounterField, ObservableCounter>;
  readonly #levels: Record<LevelField, ObservableUpDownCounter>;
  readonly #duration: Histogram;
  readonly #callback: BatchObservableCallback;
  readonly #observables: Observable[];
  /** False on the no-op meter: invokes then skip taking timestamps at all. */
  readonly recordsDuration: boolean;

  /** `isActive` gates collection, so a disabled instrumentation reports nothing. */
  constructor(meter: Meter, isActive: () => boolean) {
    this.#meter = meter;
    const counters = {} as Record<CounterField, ObservableCounter>;
    for (const field of COUNTER_FIELDS) {
      const { name, unit, description } = COUNTER_METRICS[field];
      counters[field] = meter.createObservableCounter(name, { unit, description });
    }
    const levels = {} as Record<LevelField, ObservableUpDownCounter>;
    for (const field of LEVEL_FIELDS) {
      const { name, unit, description } = LEVEL_METRICS[field];
      levels[field] = meter.createObservableUpDownCounter(name, { unit, description });
    }
    this.#counters = counters;
    this.#levels = levels;
    this.#duration = meter.createHistogram(TOOL_DURATION_METRIC.name, {
      unit: TOOL_DURATION_METRIC.unit,
      description: TOOL_DURATION_METRIC.description,
      advice: { explicitBucketBoundaries: INVOKE_DURATION_BUCKETS },
    });
    // The no-op meter hands out one shared histogram; spotting it saves two clock reads per invoke.
    this.recordsDuration = this.#duration !== createNoopMeter().createHistogram(TOOL_DURATION_METRIC.name);
    this.#observables = [...Object.values(counters), ...Object.values(levels)];
    this.#callback = (result) => {
      if (isActive()) this.#observe(result);
    };
    meter.addBatchObservableCallback(this.#callback, this.#observables);
  }

  recordInvokeDuration(seconds: number, attributes: Attributes): void {
    this.#duration.record(seconds, attributes);
  }

  /** Detaches the collection callback (the meter is being replaced). */
  close(): void {
    this.#meter.removeBatchObservableCallback(this.#callback, this.#observables);
  }

  #observe(result: BatchObservableResult): void {
    for (const [kernelId, reading] of readKernels()) {
      const attributes = { [ATTR_WEFT_KERNEL_ID]: kernelId };
      for (const field of COUNTER_FIELDS) {
        if (field === "denials") continue;
        result.observe(this.#counters[field], reading.counters[field], attributes);
      }
      for (const [reasonCode, count] of reading.denialsByReason) {
        result.observe(this.#counters.denials, count, { ...attributes, [ATTR_WEFT_REASON_CODE]: reasonCode });
      }
      for (const field of LEVEL_FIELDS) {
        result.observe(this.#levels[field], reading.gauges[field], attributes);
      }
    }
  }
}

/** Reads stats and gauges of every live kernel, grouped by kernel id. */
function readKernels(): Map<string, KernelReading> {
  const readings = new Map<string, KernelReading>();
  for (const kernel of liveKernels()) {
    const stats = kernel.stats;
    const gauges = kernel.gauges();
    let reading = readings.get(kernel.id);
    if (reading === undefined) {
      reading = {
        counters: Object.fromEntries(COUNTER_FIELDS.map((f) => [f, 0])) as Record<CounterField, number>,
        denialsByReason: new Map(),
        gauges: Object.fromEntries(LEVEL_FIELDS.map((f) => [f, 0])) as Record<LevelField, number>,
      };
      readings.set(kernel.id, reading);
    }
    for (const field of COUNTER_FIELDS) reading.counters[field] += stats[field];
    for (const field of LEVEL_FIELDS) reading.gauges[field] += gauges[field];
    // Denials are reported per reason; any the kernel counted without one keep the total right.
    let attributed = 0;
    for (const [reasonCode, count] of Object.entries<number>(stats.denialsByReason)) {
      attributed += count;
      reading.denialsByReason.set(reasonCode, (reading.denialsByReason.get(reasonCode) ?? 0) + count);
    }
    const rest = stats.denials - attributed;
    if (rest > 0) {
      const previous = reading.denialsByReason.get(WEFT_REASON_CODE_VALUE_UNSPECIFIED) ?? 0;
      reading.denialsByReason.set(WEFT_REASON_CODE_VALUE_UNSPECIFIED, previous + rest);
    }
  }
  return readings;
}
