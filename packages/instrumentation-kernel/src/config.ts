// Options of KernelInstrumentation and their validation. Config is checked once, when it is set,
// so the hot path can trust it.

import type { MeterProvider, Span, TracerProvider } from "@opentelemetry/api";
import type { InstrumentationConfig } from "@opentelemetry/instrumentation";
import type { AgentContext, ExpandMessage, GrantMessage, InvokeMessage, RevokeMessage } from "@weft/kernel";
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

/** Backends whose own span-kind keys Weft can add (opt-in, see `compat`). */
export const COMPAT_BACKENDS = ["openinference", "traceloop", "langfuse"] as const;
export type CompatBackend = (typeof COMPAT_BACKENDS)[number];

/** What to do when the caller already has its own `execute_tool` span active around `invoke`. */
export type ToolSpanMode = "create" | "enrich";

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
  /**
   * Agent to put on spans (`gen_ai.agent.*`, `gen_ai.conversation.id`) whose operation ran
   * outside any agent context the kernel knows (`withAgent`, Kernel option `agent`). Spans only:
   * action records get the agent from the kernel side, so prefer those two where you can.
   */
  agent?: AgentContext;
  /**
   * Also write the span-kind keys these backends read: `openinference.span.kind`,
   * `traceloop.span.kind` + `traceloop.entity.name`, `langfuse.observation.type`. Never argument
   * or result values, whatever the backend expects. Default none.
   */
  compat?: readonly CompatBackend[];
  /**
   * `"create"` (default): every invoke gets its own `execute_tool` span. `"enrich"`: when the
   * active span is a recording `execute_tool` span (an agent framework's own for this call), the
   * kernel's attributes, status and duration go onto that span instead of a second one.
   */
  toolSpan?: ToolSpanMode;
}

const MIN_KEY_BYTES = 16;

/** Throws InstrumentationConfigError on the first invalid option. */
export function validateConfig(config: KernelInstrumentationConfig): void {
  const { captureArgs, argsDigestKey, spanHook, requireParentSpan, agent, compat, toolSpan } = config;
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
  if (agent !== undefined) {
    if (typeof agent !== "object" || agent === null || Array.isArray(agent))
      throw new InstrumentationConfigError("agent must be an object { name?, id?, conversationId? }");
    for (const key of ["name", "id", "conversationId"] as const) {
      const v = (agent as Record<string, unknown>)[key];
      if (v !== undefined && (typeof v !== "string" || v === "" || v.length > 256))
        throw new InstrumentationConfigError(
          `agent.${key} must be a non-empty string of at most 256 characters`,
        );
    }
  }
  if (compat !== undefined) {
    if (!Array.isArray(compat)) throw new InstrumentationConfigError("compat must be an array");
    for (const c of compat as unknown[]) {
      if (!(COMPAT_BACKENDS as readonly unknown[]).includes(c))
        throw new InstrumentationConfigError(
          `compat entries must be one of ${COMPAT_BACKENDS.join(", ")}, got ${JSON.stringify(String(c))}`,
        );
    }
  }
  if (toolSpan !== undefined && toolSpan !== "create" && toolSpan !== "enrich") {
    throw new InstrumentationConfigError(
      `toolSpan must be "create" or "enrich", got ${JSON.stringify(String(toolSpan))}`,
    );
  }
}
