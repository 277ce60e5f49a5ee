// Every name this package puts on the wire: the record schema id, the span attributes the
// forensic queries key on, and the self-metric instrument names. One module, no literals elsewhere.

/** Schema id carried in every mirrored record. */
export const SPAN_RECORD_SCHEMA = "weft.span.v1";

/** Default chain spans are mirrored into. */
export const DEFAULT_CHAIN = "spans";

/** Span attribute holding the action id (GenAI semconv), used by `SpanQuery.actionId`. */
export const ATTR_ACTION_ID = "gen_ai.tool.call.id";
/** Span attribute holding the principal, used by `SpanQuery.principalId`. */
export const ATTR_PRINCIPAL_ID = "weft.principal.id";

/** Meter (instrumentation scope) name of the self-metrics. */
export const METER_NAME = "@weft/span-processor-chained";

/** Spans waiting in the queue (observable gauge, `{span}`). */
export const METRIC_QUEUE_DEPTH = "weft.span_mirror.queue.depth";
/** Spans appended to the chain (counter, `{span}`). */
export const METRIC_SPANS_WRITTEN = "weft.span_mirror.spans.written";
/** Batches written synchronously inside `onEnd` because the queue was full (counter, `{flush}`). */
export const METRIC_SYNC_FLUSHES = "weft.span_mirror.sync_flushes";
/** Failed batch appends; the batch stays queued for retry (counter, `{error}`). */
export const METRIC_WRITE_ERRORS = "weft.span_mirror.write_errors";
/** Spans lost because the store kept failing while the queue was full, or still unwritten at shutdown (counter, `{span}`). */
export const METRIC_SPANS_DROPPED = "weft.span_mirror.spans.dropped";
/** Seconds since the last successful batch append (observable gauge, `s`). */
export const METRIC_LAST_FLUSH_AGE = "weft.span_mirror.last_flush.age";

/** Metric attribute naming the chain a processor writes. */
export const METRIC_ATTR_CHAIN = "weft.chain";
/** Metric attribute on dropped spans: `queue_full` or `shutdown`. */
export const METRIC_ATTR_DROP_REASON = "weft.drop.reason";
