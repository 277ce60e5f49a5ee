// Metric names Weft emits, each with the instrument, unit and description that go with it, so a
// package creating an instrument and a document listing them read the same definition. OTel
// naming: dot namespaces, unit in `unit` (never in the name), no `_total`.

/** Instrument kinds Weft uses, named as in the OpenTelemetry metrics API. */
export type MetricInstrument = "counter" | "updowncounter" | "gauge" | "histogram";

/** What defines a metric besides its name. */
export interface MetricDefinition {
  readonly name: string;
  readonly instrument: MetricInstrument;
  /** UCUM unit, or a `{annotation}` for counts. */
  readonly unit: string;
  readonly description: string;
}

// --- @weft/instrumentation-kernel: KernelStats counters, read at collection time --------------

/** Capability grants issued (counter, `{grant}`). Stability: development (Weft 0.x). @experimental */
export const METRIC_WEFT_KERNEL_GRANTS = "weft.kernel.grants";
/** Requests the kernel denied, by `weft.reason_code` (counter, `{denial}`). Stability: development (Weft 0.x). @experimental */
export const METRIC_WEFT_KERNEL_DENIALS = "weft.kernel.denials";
/** Invocations started with a valid token (counter, `{invocation}`). Stability: development (Weft 0.x). @experimental */
export const METRIC_WEFT_KERNEL_INVOCATIONS = "weft.kernel.invocations";
/** Invocations that ended in an error (counter, `{invocation}`). Stability: development (Weft 0.x). @experimental */
export const METRIC_WEFT_KERNEL_INVOCATION_FAILURES = "weft.kernel.invocation.failures";
/** Invocations that fell back to a later driver (counter, `{activation}`). Stability: development (Weft 0.x). @experimental */
export const METRIC_WEFT_KERNEL_FALLBACK_ACTIVATIONS = "weft.kernel.fallback.activations";
/**
 * Redaction events: invocations whose result the firewall redacted, one per invocation however
 * many fields it removed (counter, `{event}`; `stats.redactionEvents`). Stability: development (Weft 0.x). @experimental
 */
export const METRIC_WEFT_KERNEL_REDACTION_EVENTS = "weft.kernel.redaction.events";
/** Responses downgraded to a cheaper mode by the budget (counter, `{downgrade}`). Stability: development (Weft 0.x). @experimental */
export const METRIC_WEFT_KERNEL_BUDGET_DOWNGRADES = "weft.kernel.budget.downgrades";
/** Result handles stored (counter, `{handle}`). Stability: development (Weft 0.x). @experimental */
export const METRIC_WEFT_KERNEL_HANDLE_STORES = "weft.kernel.handle.stores";
/** Handle expansions served (counter, `{expansion}`). Stability: development (Weft 0.x). @experimental */
export const METRIC_WEFT_KERNEL_EXPANSIONS = "weft.kernel.expansions";

// --- @weft/instrumentation-kernel: levels from kernel.gauges() ----------------------------------
// Additive counts of things held (summing over kernels is meaningful), so UpDownCounters named
// `<thing>.count` with a singular segment, as OpenTelemetry names them.

/** Action traces held by the kernel's trace store (updowncounter, `{trace}`; was `weft.kernel.trace_store.size`). Stability: development (Weft 0.x). @experimental */
export const METRIC_WEFT_KERNEL_TRACE_STORE_TRACE_COUNT = "weft.kernel.trace_store.trace.count";
/** Result handles not yet expired (updowncounter, `{handle}`; was `weft.kernel.handles.live`). Stability: development (Weft 0.x). @experimental */
export const METRIC_WEFT_KERNEL_HANDLE_COUNT = "weft.kernel.handle.count";
/** Token and principal revocations the kernel tracks (updowncounter, `{revocation}`; was `weft.kernel.revocations.tracked`). Stability: development (Weft 0.x). @experimental */
export const METRIC_WEFT_KERNEL_REVOCATION_COUNT = "weft.kernel.revocation.count";

// --- @weft/instrumentation-kernel: recorded per call ---------------------------------------------

/**
 * Duration of a tool execution (histogram, `s`), with `gen_ai.operation.name`,
 * `gen_ai.tool.name`, `gen_ai.tool.type`, `error.type` on failure and `gen_ai.agent.name` when
 * known. Replaces `weft.kernel.invoke.duration` (dropped in 0.2).
 *
 * Stability: development (OpenTelemetry GenAI).
 * @experimental
 */
export const METRIC_GEN_AI_EXECUTE_TOOL_DURATION = "gen_ai.execute_tool.duration";

// --- @weft/span-processor-chained self-metrics ----------------------------------------------

/** Spans waiting in the mirror's queue (updowncounter, `{span}`; was `weft.span_mirror.queue.depth`). Stability: development (Weft 0.x). @experimental */
export const METRIC_WEFT_SPAN_MIRROR_QUEUE_SIZE = "weft.span_mirror.queue.size";
/** Spans appended to the chain (counter, `{span}`). Stability: development (Weft 0.x). @experimental */
export const METRIC_WEFT_SPAN_MIRROR_SPANS_WRITTEN = "weft.span_mirror.spans.written";
/** Batches written synchronously in `onEnd` because the queue was full (counter, `{flush}`). Stability: development (Weft 0.x). @experimental */
export const METRIC_WEFT_SPAN_MIRROR_SYNC_FLUSHES = "weft.span_mirror.sync_flushes";
/** Failed batch appends; the batch stays queued for retry (counter, `{error}`). Stability: development (Weft 0.x). @experimental */
export const METRIC_WEFT_SPAN_MIRROR_WRITE_ERRORS = "weft.span_mirror.write_errors";
/** Spans never written, by `weft.drop.reason` (counter, `{span}`). Stability: development (Weft 0.x). @experimental */
export const METRIC_WEFT_SPAN_MIRROR_SPANS_DROPPED = "weft.span_mirror.spans.dropped";
/** Seconds since the last successful batch append (gauge, `s`). Stability: development (Weft 0.x). @experimental */
export const METRIC_WEFT_SPAN_MIRROR_LAST_FLUSH_AGE = "weft.span_mirror.last_flush.age";

// --- @weft/node set-up telemetry --------------------------------------------------------------

/** Settings @weft/node rejected at start-up, by `weft.node.setting` (counter, `{setting}`). Stability: development (Weft 0.x). @experimental */
export const METRIC_WEFT_NODE_CONFIG_ERRORS = "weft.node.config.errors";
/** Action traces the audit store failed to record, kept in memory instead (counter, `{trace}`). Stability: development (Weft 0.x). @experimental */
export const METRIC_WEFT_NODE_ACTIONS_WRITE_ERRORS = "weft.node.actions.write_errors";

// --- @weft/mcp -----------------------------------------------------------------------------------

/** Duration of MCP requests as the client saw them (histogram, `s`). Stability: development (OpenTelemetry MCP). @experimental */
export const METRIC_MCP_CLIENT_OPERATION_DURATION = "mcp.client.operation.duration";

function define(
  name: string,
  instrument: MetricInstrument,
  unit: string,
  description: string,
): MetricDefinition {
  return Object.freeze({ name, instrument, unit, description });
}

/** Every metric Weft emits, keyed by name. */
export const METRIC_DEFINITIONS: Readonly<Record<string, MetricDefinition>> = Object.freeze(
  Object.fromEntries(
    [
      define(METRIC_WEFT_KERNEL_GRANTS, "counter", "{grant}", "Capability grants issued."),
      define(
        METRIC_WEFT_KERNEL_DENIALS,
        "counter",
        "{denial}",
        "Requests the kernel denied, by weft.reason_code.",
      ),
      define(
        METRIC_WEFT_KERNEL_INVOCATIONS,
        "counter",
        "{invocation}",
        "Capability invocations started with a valid token.",
      ),
      define(
        METRIC_WEFT_KERNEL_INVOCATION_FAILURES,
        "counter",
        "{invocation}",
        "Invocations that ended in an error.",
      ),
      define(
        METRIC_WEFT_KERNEL_FALLBACK_ACTIVATIONS,
        "counter",
        "{activation}",
        "Invocations that fell back to a later driver.",
      ),
      define(
        METRIC_WEFT_KERNEL_REDACTION_EVENTS,
        "counter",
        "{event}",
        "Invocations whose result the firewall redacted (one event per invocation, whatever the number of fields).",
      ),
      define(
        METRIC_WEFT_KERNEL_BUDGET_DOWNGRADES,
        "counter",
        "{downgrade}",
        "Responses downgraded to a cheaper mode by the budget.",
      ),
      define(METRIC_WEFT_KERNEL_HANDLE_STORES, "counter", "{handle}", "Result handles stored."),
      define(METRIC_WEFT_KERNEL_EXPANSIONS, "counter", "{expansion}", "Handle expansions served."),
      define(
        METRIC_WEFT_KERNEL_TRACE_STORE_TRACE_COUNT,
        "updowncounter",
        "{trace}",
        "Action traces held by the kernel's trace store.",
      ),
      define(METRIC_WEFT_KERNEL_HANDLE_COUNT, "updowncounter", "{handle}", "Result handles not yet expired."),
      define(
        METRIC_WEFT_KERNEL_REVOCATION_COUNT,
        "updowncounter",
        "{revocation}",
        "Token and principal revocations the kernel tracks.",
      ),
      define(
        METRIC_GEN_AI_EXECUTE_TOOL_DURATION,
        "histogram",
        "s",
        "Duration of tool executions, from the kernel's token check to the returned frame or error.",
      ),
      define(
        METRIC_WEFT_SPAN_MIRROR_QUEUE_SIZE,
        "updowncounter",
        "{span}",
        "Spans waiting to be written to the chained store",
      ),
      define(
        METRIC_WEFT_SPAN_MIRROR_SPANS_WRITTEN,
        "counter",
        "{span}",
        "Spans appended to the chained store",
      ),
      define(
        METRIC_WEFT_SPAN_MIRROR_SYNC_FLUSHES,
        "counter",
        "{flush}",
        "Batches written synchronously in onEnd because the queue was full (backpressure)",
      ),
      define(
        METRIC_WEFT_SPAN_MIRROR_WRITE_ERRORS,
        "counter",
        "{error}",
        "Failed batch appends; the batch stays queued and is retried",
      ),
      define(
        METRIC_WEFT_SPAN_MIRROR_SPANS_DROPPED,
        "counter",
        "{span}",
        "Spans never written: store failing with a full queue, or unwritten at shutdown",
      ),
      define(
        METRIC_WEFT_SPAN_MIRROR_LAST_FLUSH_AGE,
        "gauge",
        "s",
        "Seconds since the last successful append to the chained store",
      ),
      define(
        METRIC_WEFT_NODE_CONFIG_ERRORS,
        "counter",
        "{setting}",
        "Settings @weft/node rejected at start-up; the application kept running with a fallback.",
      ),
      define(
        METRIC_WEFT_NODE_ACTIONS_WRITE_ERRORS,
        "counter",
        "{trace}",
        "Action traces the audit store failed to record; each was kept in memory instead.",
      ),
      define(
        METRIC_MCP_CLIENT_OPERATION_DURATION,
        "histogram",
        "s",
        "Duration of MCP requests as observed by the client.",
      ),
    ].map((d) => [d.name, d]),
  ),
);

/** The definition of a metric Weft emits; throws on a name that is not one (a programming error). */
export function metricDefinition(name: string): MetricDefinition {
  const d = METRIC_DEFINITIONS[name];
  if (d === undefined) throw new TypeError(`not a Weft metric: ${name}`);
  return d;
}
