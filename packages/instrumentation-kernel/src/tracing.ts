// The one channel subscriber every operation shares: start a span on `start`, make it the active
// context for the kernel's inner work through the message's public `runInContext` slot, and end
// it once the operation settled (`end` for sync operations, `asyncEnd` for promises).

import type { TracingChannelSubscribers } from "node:diagnostics_channel";
import {
  type Attributes,
  type Context,
  context,
  isSpanContextValid,
  type Span,
  SpanStatusCode,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import type { AgentFields, Decision, InvokeMessage, KernelMessageBase } from "@weft/kernel";
import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_WEFT_ARGS_DIGEST,
  ATTR_WEFT_REASON_CODE,
  ERROR_TYPE_VALUE_OTHER,
  EVENT_WEFT_DENY,
  GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL,
  SPAN_EXECUTE_TOOL,
  WEFT_ARGS_DIGEST_PREFIX,
} from "@weft/semconv";
import type { KernelMessage, KernelOperation } from "./config.js";
import { invokeDurationAttributes, type OperationSpec } from "./spans.js";

/** What the subscriber needs from the instrumentation that owns it. */
export interface SubscriberHost {
  readonly tracer: Tracer;
  /** False while spans would be no-ops (no SDK registered and no provider given). */
  readonly tracingEnabled: boolean;
  /** False while the duration histogram is a no-op (no meter provider). */
  readonly durationEnabled: boolean;
  readonly requireParentSpan: boolean;
  /** Key for `weft.args.digest`, or undefined when arg digests are off. */
  readonly argsDigestKey: string | Uint8Array | undefined;
  /** `gen_ai.agent.*` from the instrumentation's `agent` option, for spans the kernel gave none. */
  readonly fallbackAgent: Attributes | undefined;
  /** The `compat` option's span-kind keys, or undefined when none is configured. */
  readonly compat: ((operation: KernelOperation, capabilityId: string | undefined) => Attributes) | undefined;
  /** True with `toolSpan: "enrich"`. */
  readonly enrichToolSpan: boolean;
  runSpanHook(span: Span, message: KernelMessage, operation: KernelOperation): void;
  recordInvokeDuration(seconds: number, attributes: Attributes): void;
}

/** Per-call bookkeeping, stored on the message under a key private to one subscriber. */
interface CallState {
  span: Span | undefined;
  /** True when `span` is the caller's own execute_tool span (enrich mode): never ended here. */
  borrowed: boolean;
  startedAt: number;
  done: boolean;
}

/** Fields TracingChannel itself adds to the message. */
interface Settled {
  error?: unknown;
  result?: unknown;
}

/** The fields common handling reads, whichever operation published the message. */
interface Message extends KernelMessageBase, Settled {
  decision?: Decision;
  reasonCode?: string;
  errorCode?: string;
  driverAttributes?: Record<string, string | number | boolean>;
  [key: symbol]: CallState | undefined;
}

export function createSubscriber(
  spec: OperationSpec,
  host: SubscriberHost,
): TracingChannelSubscribers<object> {
  // A symbol per subscriber, so two instrumentations on the same kernel keep separate state.
  const stateKey = Symbol(`weft.instrumentation.${spec.operation}`);
  const isInvoke = spec.operation === "invoke";

  const start = (raw: object): void => {
    const message = raw as Message;
    const timed = isInvoke && host.durationEnabled;
    const traced = host.tracingEnabled;
    // With only the no-op API there is nothing to record: leave the message untouched.
    if (!traced && !timed) return;
    let span: Span | undefined;
    let borrowed = false;
    if (traced) {
      const parent = context.active();
      const active = trace.getSpan(parent);
      if (isInvoke && host.enrichToolSpan && active !== undefined && isToolSpan(active)) {
        // The framework's own span for this call is already active around the kernel's work:
        // it gets the start attributes a span of ours would have had, and no second span is made.
        span = active;
        borrowed = true;
        const startAttributes = spec.start(message as KernelMessage).options.attributes;
        if (startAttributes !== undefined) span.setAttributes(startAttributes);
      } else if (!host.requireParentSpan || active !== undefined) {
        const begin = spec.start(message as KernelMessage);
        span = host.tracer.startSpan(begin.name, begin.options, parent);
        // Nothing to activate when the span is a no-op without its own context (no SDK).
        if (span.isRecording() || isSpanContextValid(span.spanContext())) {
          installRunInContext(message, trace.setSpan(parent, span));
        }
      }
    }
    message[stateKey] = {
      span,
      borrowed,
      startedAt: timed ? performance.now() : -1,
      done: false,
    };
  };

  const finish = (message: Message): void => {
    const state = message[stateKey];
    if (state === undefined || state.done) return;
    state.done = true;
    const denied = message.decision === "deny";
    const failed = "error" in message || denied;
    const errorType = failed ? errorTypeOf(message) : undefined;
    const { span } = state;
    if (span !== undefined) {
      if (span.isRecording()) {
        spec.finish(span, message as KernelMessage);
        // Protocol facts a driver reported (MCP session, JSON-RPC id): on this span, not a second one.
        if (message.driverAttributes !== undefined) span.setAttributes(message.driverAttributes);
        if (isInvoke && host.argsDigestKey !== undefined) {
          const digestArgs = (message as unknown as InvokeMessage).digestArgs;
          if (digestArgs !== undefined) {
            span.setAttribute(
              ATTR_WEFT_ARGS_DIGEST,
              WEFT_ARGS_DIGEST_PREFIX + digestArgs(host.argsDigestKey),
            );
          }
        }
        if (host.fallbackAgent !== undefined) {
          const m = message as AgentFields;
          if (m.agentName === undefined && m.agentId === undefined && m.conversationId === undefined) {
            span.setAttributes(host.fallbackAgent);
          }
        }
        if (host.compat !== undefined) {
          span.setAttributes(
            host.compat(spec.operation, (message as { capabilityId?: string }).capabilityId),
          );
        }
        if (errorType !== undefined) {
          span.setAttribute(ATTR_ERROR_TYPE, errorType);
          // No description: it would only repeat error.type (the conventions say not to), and a
          // driver's error message may quote the arguments.
          span.setStatus({ code: SpanStatusCode.ERROR });
        }
        if (denied) {
          const event: Attributes = {};
          if (message.reasonCode !== undefined) event[ATTR_WEFT_REASON_CODE] = message.reasonCode;
          span.addEvent(EVENT_WEFT_DENY, event);
        }
        host.runSpanHook(span, message as KernelMessage, spec.operation);
      }
      if (!state.borrowed) span.end();
    }
    if (state.startedAt >= 0) {
      const seconds = (performance.now() - state.startedAt) / 1000;
      host.recordInvokeDuration(
        seconds,
        invokeDurationAttributes(message as unknown as InvokeMessage, errorType),
      );
    }
  };

  // Node subscribes only the handlers present; asyncStart and error are not needed.
  return {
    start,
    // A sync operation is over at `end`. An async one is over at `asyncEnd`, unless it threw
    // before returning its promise: then `error` is set at `end` and no `asyncEnd` follows.
    end: spec.async
      ? (raw) => {
          if ("error" in raw) finish(raw as Message);
        }
      : (raw) => finish(raw as Message),
    asyncEnd: (raw) => finish(raw as Message),
  } as TracingChannelSubscribers<object>;
}

/**
 * Whether the active span is a tool span of the caller's (enrich mode). The API cannot read a
 * span's name or attributes; SDK spans expose both, and a span we cannot inspect is not
 * borrowed, so an `invoke_agent` span is never mistaken for a tool span.
 */
function isToolSpan(span: Span): boolean {
  if (!span.isRecording()) return false;
  const readable = span as unknown as { name?: unknown; attributes?: Record<string, unknown> };
  if (typeof readable.name === "string" && readable.name.startsWith(SPAN_EXECUTE_TOOL)) return true;
  return readable.attributes?.[ATTR_GEN_AI_OPERATION_NAME] === GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL;
}

/** Chains onto a slot another subscriber may already have filled. */
function installRunInContext(message: KernelMessage, active: Context): void {
  const previous = message.runInContext;
  message.runInContext =
    previous === undefined
      ? <T>(fn: () => T): T => context.with(active, fn)
      : <T>(fn: () => T): T => previous(() => context.with(active, fn));
}

/** A low-cardinality `error.type`: the kernel's stable code, else the error's code or class. */
function errorTypeOf(message: Message): string {
  // A driver that knows its protocol's error vocabulary (MCP's `tool_error`) names the failure.
  const fromDriver = message.driverAttributes?.[ATTR_ERROR_TYPE];
  if (typeof fromDriver === "string" && fromDriver !== "") return fromDriver;
  if (message.errorCode !== undefined) return message.errorCode;
  const error = message.error;
  if (typeof error === "object" && error !== null) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === "string" && code !== "") return code;
    const name = error.constructor?.name;
    if (typeof name === "string" && name !== "" && name !== "Object") return name;
  }
  // A deny the kernel reported without throwing still needs a type on the span.
  if (message.decision === "deny") return message.reasonCode ?? ERROR_TYPE_VALUE_OTHER;
  return ERROR_TYPE_VALUE_OTHER;
}
