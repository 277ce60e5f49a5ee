// Options of KernelInstrumentation and their validation. Config is checked once, when it is set,
// so the hot path can trust it.

import type { MeterProvider, Span, TracerProvider } from "@opentelemetry/api";
import type { InstrumentationConfig } from "@opentelemetry/instrumentation";
import type { ExpandMessage, GrantMessage, InvokeMessage, RevokeMessage } from "@weft/kernel";
import { InstrumentationConfigError } from "./errors.js";

/** The kernel operation a span or hook call belongs to. */
export type KernelOperation = "grant" | "invoke" | "expand" | "revoke";

/** Any channel message the kernel publishes (ids and classifications only, never args). */
export type KernelMessage = GrantMessage | InvokeMessage | ExpandMessage | RevokeMessage;

/**
 * Called once per span just before it ends, after the documented attributes are set. Errors it
 * throws are logged through the OTel diag logger and otherwise ignored.
 */
export type KernelSpanHook = (span: Span, message: KernelMessage, operation: KernelOperation) => void;

export type CaptureArgs = "none" | "digest";

export interface KernelInstrumentationConfig extends InstrumentationConfig {
  /** Isolated provider for this instrumentation's spans (default: the global one). */
  tracerProvider?: TracerProvider;
  /** Isolated provider for this instrumentation's metrics (default: the global one). */
  meterProvider?: MeterProvider;
  /**
   * `"none"` (default): no trace of the arguments on spans. `"digest"`: `weft.args.digest` =
   * HMAC-SHA256 of the canonical args under `argsDigestKey`. Raw args are never captured.
   */
  captureArgs?: CaptureArgs;
  /**
   * Key for arg digests (>= 16 bytes). Without it a random per-process key is used, so digests
   * correlate calls within one process but cannot be brute-forced by anyone reading spans.
   */
  argsDigestKey?: string | Uint8Array;
  /** Only create spans when the caller has an active span (the agent's `invoke_agent`). */
  requireParentSpan?: boolean;
  /** Adds attributes to any span before it ends. */
  spanHook?: KernelSpanHook;
}

const MIN_KEY_BYTES = 16;

/** Throws InstrumentationConfigError on the first invalid option. */
export function validateConfig(config: KernelInstrumentationConfig): void {
  const { captureArgs, argsDigestKey, spanHook, requireParentSpan } = config;
  if (captureArgs !== undefined && captureArgs !== "none" && captureArgs !== "digest") {
    throw new InstrumentationConfigError(
      `captureArgs must be "none" or "digest", got ${JSON.stringify(String(captureArgs))}`,
    );
  }
  if (argsDigestKey !== undefined) {
    const bytes =
      typeof argsDigestKey === "string"
        ? Buffer.byteLength(argsDigestKey)
        : argsDigestKey instanceof Uint8Array
          ? argsDigestKey.byteLength
          : -1;
    if (bytes < 0) throw new InstrumentationConfigError("argsDigestKey must be a string or a Uint8Array");
    if (bytes < MIN_KEY_BYTES) {
      throw new InstrumentationConfigError(`argsDigestKey must be at least ${MIN_KEY_BYTES} bytes long`);
    }
  }
  if (spanHook !== undefined && typeof spanHook !== "function") {
    throw new InstrumentationConfigError("spanHook must be a function");
  }
  if (requireParentSpan !== undefined && typeof requireParentSpan !== "boolean") {
    throw new InstrumentationConfigError("requireParentSpan must be a boolean");
  }
}
