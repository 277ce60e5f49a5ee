export type { SpanQuery, SpanRecordV1, SpanTreeNode } from "@weft/chained-store";
export {
  ATTR_ACTION_ID,
  ATTR_PRINCIPAL_ID,
  DEFAULT_CHAIN,
  METER_NAME,
  METRIC_ATTR_CHAIN,
  METRIC_ATTR_DROP_REASON,
  METRIC_LAST_FLUSH_AGE,
  METRIC_QUEUE_DEPTH,
  METRIC_SPANS_DROPPED,
  METRIC_SPANS_WRITTEN,
  METRIC_SYNC_FLUSHES,
  METRIC_WRITE_ERRORS,
  SPAN_RECORD_SCHEMA,
} from "./attributes.js";
export { SpanMirrorConfigError, SpanMirrorFlushError } from "./errors.js";
export { toSpanRecord } from "./normalize.js";
export {
  ChainedSpanProcessor,
  type ChainedSpanProcessorOptions,
  type ChainedSpanProcessorStats,
} from "./processor.js";
export {
  createRedactor,
  DEFAULT_PLACEHOLDER,
  DEFAULT_REDACTED_KEY_SUFFIXES,
  DEFAULT_REDACTED_KEYS,
  DEFAULT_REDACTED_PATTERNS,
  type RedactionOptions,
  type Redactor,
} from "./redaction.js";
export type { ReadableSpanLike, SpanProcessorLike } from "./span-like.js";
