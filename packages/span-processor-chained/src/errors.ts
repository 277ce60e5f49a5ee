// Typed errors of the span mirror. Store failures inside the writer are never thrown into the
// application; these surface only from configuration and from promises the caller awaits.

import { WeftError } from "@weft/kernel";

/** Bad processor options (no `path` or `store`, both given, unknown chain, bad sizes). */
export class SpanMirrorConfigError extends WeftError {
  constructor(message: string) {
    super("SPAN_MIRROR_CONFIG", message);
  }
}

/** `forceFlush()` could not make the spans ended before it durable within `flushTimeoutMs`. */
export class SpanMirrorFlushError extends WeftError {
  readonly pending: number;
  constructor(pending: number, options?: { cause?: unknown }) {
    super(
      "SPAN_MIRROR_FLUSH_FAILED",
      `span mirror could not write ${pending} span(s) before the flush timeout; they stay queued for retry`,
      options,
    );
    this.pending = pending;
  }
}
