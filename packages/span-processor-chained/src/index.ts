export type { SpanQuery, SpanRecordV1, SpanTreeNode } from "@weft/chained-store";
export { SpanMirrorConfigError, SpanMirrorFlushError } from "./errors.js";
export { toSpanRecord } from "./normalize.js";
export {
  ChainedSpanProcessor,
  type ChainedSpanProcessorOptions,
  type ChainedSpanProcessorStats,
  DEFAULT_CHAIN,
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
export { hrTimeToNanos } from "./time.js";
