// How each kernel operation maps to a span: its name, the attributes known when it starts (what
// a sampler may look at) and those the kernel fills in by the time it ends. Pure functions of the
// channel message; the subscriber in tracing.ts applies them.

import { type Attributes, type Span, SpanKind, type SpanOptions } from "@opentelemetry/api";
import {
  type AgentFields,
  CHANNEL_EXPAND,
  CHANNEL_GRANT,
  CHANNEL_INVOKE,
  CHANNEL_REVOKE,
  type ExpandMessage,
  type GrantMessage,
  type InvokeMessage,
  type RevokeMessage,
} from "@weft/kernel";
import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_AGENT_ID,
  ATTR_GEN_AI_AGENT_NAME,
  ATTR_GEN_AI_CONVERSATION_ID,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_TOOL_CALL_ID,
  ATTR_GEN_AI_TOOL_DESCRIPTION,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_GEN_AI_TOOL_TYPE,
  ATTR_WEFT_ACTION_ID,
  ATTR_WEFT_CAPABILITY_ID,
  ATTR_WEFT_CAPABILITY_SAFETY_CLASS,
  ATTR_WEFT_CAPABILITY_SENSITIVITY,
  ATTR_WEFT_DECISION,
  ATTR_WEFT_DRIVER_FALLBACK,
  ATTR_WEFT_DRIVER_ID,
  ATTR_WEFT_DRIVER_TRIED_IDS,
  ATTR_WEFT_DRY_RUN,
  ATTR_WEFT_EXPAND_ROW_COUNT,
  ATTR_WEFT_HANDLE_ID,
  ATTR_WEFT_KERNEL_ID,
  ATTR_WEFT_PRINCIPAL_ID,
  ATTR_WEFT_REASON_CODE,
  ATTR_WEFT_RESPONSE_MODE_EFFECTIVE,
  ATTR_WEFT_RESPONSE_MODE_REQUESTED,
  ATTR_WEFT_REVOKE_COUNT,
  ATTR_WEFT_TOKEN_EXPIRES_AT,
  ATTR_WEFT_TOKEN_ID,
  GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL,
  GEN_AI_TOOL_TYPE_VALUE_FUNCTION,
  SPAN_EXECUTE_TOOL,
  SPAN_EXPAND_HANDLE,
  SPAN_GRANT_CAPABILITY,
  SPAN_REVOKE_PRINCIPAL,
  SPAN_REVOKE_TOKEN,
} from "@weft/semconv";
import type { KernelMessage, KernelOperation } from "./config.js";

/**
 * What starting an operation's span needs. May be shared between calls (the invoke's is one
 * object per kernel and capability), so nothing may write to it.
 */
export interface SpanStart {
  readonly name: string;
  readonly options: SpanOptions;
}

export interface OperationSpec<M extends KernelMessage = KernelMessage> {
  readonly operation: KernelOperation;
  readonly channel: string;
  /** Published with tracePromise (ends on `asyncEnd`) rather than traceSync (ends on `end`). */
  readonly async: boolean;
  spanName(message: M): string;
  startAttributes(message: M): Attributes;
  /** Name, options and duration attributes at once: one lookup per call on the hot path. */
  start(message: M): SpanStart;
  /** Sets what the kernel added to the message while the operation ran. */
  finish(span: Span, message: M): void;
}

/** Upper bound on cached span names per operation (capability ids are few; bogus ones are not). */
const NAME_CACHE_LIMIT = 1024;

/** `${prefix} ${id}`, built once per capability rather than once per call. */
function nameCache(prefix: string): (id: string) => string {
  const names = new Map<string, string>();
  return (id) => {
    let name = names.get(id);
    if (name === undefined) {
      name = `${prefix} ${id}`;
      if (names.size < NAME_CACHE_LIMIT) names.set(id, name);
    }
    return name;
  };
}

const grantName = nameCache(SPAN_GRANT_CAPABILITY);
const executeToolName = nameCache(SPAN_EXECUTE_TOOL);

type PairCache<V> = Map<string, Map<string, V>> & { build: (kernelId: string, capabilityId: string) => V };

/** A value per (kernel id, capability id), built on first use; bounded like the name cache. */
export function pairCache<V>(build: (kernelId: string, capabilityId: string) => V): PairCache<V> {
  return Object.assign(new Map<string, Map<string, V>>(), { build });
}

export function perKernelCapability<V>(cache: PairCache<V>, kernelId: string, capabilityId: string): V {
  let byCapability = cache.get(kernelId);
  if (byCapability === undefined) {
    byCapability = new Map();
    if (cache.size < NAME_CACHE_LIMIT) cache.set(kernelId, byCapability);
  }
  let value = byCapability.get(capabilityId);
  if (value === undefined) {
    value = cache.build(kernelId, capabilityId);
    if (byCapability.size < NAME_CACHE_LIMIT) byCapability.set(capabilityId, value);
  }
  return value;
}

const invokeStartAttributes = pairCache<Attributes>((kernelId, capabilityId) => ({
  [ATTR_GEN_AI_OPERATION_NAME]: GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL,
  [ATTR_GEN_AI_TOOL_NAME]: capabilityId,
  [ATTR_WEFT_KERNEL_ID]: kernelId,
}));

// Everything an invoke's span start needs depends only on kernel and capability: one entry per
// pair, found with one lookup, instead of a name, a start-attribute set and a span-options
// object looked up or built on every call.
const invokeStarts = pairCache<SpanStart>((kernelId, capabilityId) => ({
  name: executeToolName(capabilityId),
  options: {
    kind: SpanKind.INTERNAL,
    attributes: perKernelCapability(invokeStartAttributes, kernelId, capabilityId),
  },
}));

/** Duration attributes of successful calls: one set per kernel and capability, then per agent. */
interface DurationSets {
  withoutAgent: Attributes | undefined;
  byAgent: Map<string, Attributes>;
}
const durationSets = pairCache<DurationSets>(() => ({ withoutAgent: undefined, byAgent: new Map() }));

function durationSet(m: InvokeMessage, errorType: string | undefined): Attributes {
  const attributes: Attributes = {
    [ATTR_GEN_AI_OPERATION_NAME]: GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL,
    [ATTR_GEN_AI_TOOL_NAME]: m.capabilityId,
    // Unknown only when the call failed before the capability was looked up.
    [ATTR_GEN_AI_TOOL_TYPE]: m.toolType ?? GEN_AI_TOOL_TYPE_VALUE_FUNCTION,
    [ATTR_WEFT_KERNEL_ID]: m.kernelId,
  };
  if (m.agentName !== undefined) attributes[ATTR_GEN_AI_AGENT_NAME] = m.agentName;
  if (errorType !== undefined) attributes[ATTR_ERROR_TYPE] = errorType;
  return attributes;
}

/**
 * Attributes of one `gen_ai.execute_tool.duration` measurement. A success reuses a cached set
 * (the SDK hashes the set on every record; a fresh object per call would also be garbage);
 * failures are rarer and get their own, with `error.type`.
 */
export function invokeDurationAttributes(m: InvokeMessage, errorType: string | undefined): Attributes {
  if (errorType !== undefined) return durationSet(m, errorType);
  const sets = perKernelCapability(durationSets, m.kernelId, m.capabilityId);
  const agent = m.agentName;
  if (agent === undefined) {
    if (sets.withoutAgent === undefined) sets.withoutAgent = durationSet(m, undefined);
    return sets.withoutAgent;
  }
  let cached = sets.byAgent.get(agent);
  if (cached === undefined) {
    cached = durationSet(m, undefined);
    if (sets.byAgent.size < NAME_CACHE_LIMIT) sets.byAgent.set(agent, cached);
  }
  return cached;
}

/** Builds a fresh SpanStart for operations off the hot path. */
function freshStart<M extends KernelMessage>(spec: OperationSpec<M>, m: M): SpanStart {
  return {
    name: spec.spanName(m),
    options: { kind: SpanKind.INTERNAL, attributes: spec.startAttributes(m) },
  };
}

/** Sets `key` only when the kernel provided a value (absent fields stay absent on the span). */
function set(span: Span, key: string, value: string | number | boolean | string[] | undefined): void {
  if (value !== undefined) span.setAttribute(key, value);
}

/** The acting agent's `gen_ai.agent.*` / `gen_ai.conversation.id`, as far as the kernel knows it. */
function setAgent(span: Span, m: AgentFields): void {
  set(span, ATTR_GEN_AI_AGENT_NAME, m.agentName);
  set(span, ATTR_GEN_AI_AGENT_ID, m.agentId);
  set(span, ATTR_GEN_AI_CONVERSATION_ID, m.conversationId);
}

export const grantSpec: OperationSpec<GrantMessage> = {
  operation: "grant",
  async: false,
  channel: CHANNEL_GRANT,
  spanName: (m) => grantName(m.capabilityId),
  start(m) {
    return freshStart(this, m);
  },
  startAttributes: (m) => ({
    [ATTR_WEFT_KERNEL_ID]: m.kernelId,
    [ATTR_WEFT_CAPABILITY_ID]: m.capabilityId,
    [ATTR_WEFT_PRINCIPAL_ID]: m.principalId,
    [ATTR_WEFT_CAPABILITY_SAFETY_CLASS]: m.safetyClass,
    [ATTR_WEFT_CAPABILITY_SENSITIVITY]: m.sensitivity,
  }),
  finish(span, m) {
    set(span, ATTR_WEFT_DECISION, m.decision);
    set(span, ATTR_WEFT_REASON_CODE, m.reasonCode);
    set(span, ATTR_WEFT_TOKEN_ID, m.tokenId);
    set(span, ATTR_WEFT_TOKEN_EXPIRES_AT, m.expiresAt);
    set(span, ATTR_WEFT_ACTION_ID, m.actionId);
    setAgent(span, m);
  },
};

export const invokeSpec: OperationSpec<InvokeMessage> = {
  operation: "invoke",
  channel: CHANNEL_INVOKE,
  async: true,
  spanName: (m) => executeToolName(m.capabilityId),
  // Only what a sampler needs goes in at start: the SDK validates start attributes twice (about
  // 0.14 µs each against 0.11 µs for a later setAttribute), and this span is on the hot path of
  // every tool call. They depend only on kernel and capability, so one object per pair is reused
  // (SDKs copy start attributes; not frozen, so an API implementation that wrote to them could
  // not throw into the caller's invoke).
  startAttributes: (m) => perKernelCapability(invokeStartAttributes, m.kernelId, m.capabilityId),
  start: (m) => perKernelCapability(invokeStarts, m.kernelId, m.capabilityId),
  finish(span, m) {
    span.setAttribute(ATTR_WEFT_CAPABILITY_ID, m.capabilityId);
    span.setAttribute(ATTR_WEFT_PRINCIPAL_ID, m.principalId);
    span.setAttribute(ATTR_WEFT_TOKEN_ID, m.tokenId);
    span.setAttribute(ATTR_WEFT_RESPONSE_MODE_REQUESTED, m.requestedResponseMode);
    if (m.dryRun) span.setAttribute(ATTR_WEFT_DRY_RUN, true);
    set(span, ATTR_WEFT_ACTION_ID, m.actionId);
    // The model's id for the call, never Weft's own: only the caller knows it.
    set(span, ATTR_GEN_AI_TOOL_CALL_ID, m.toolCallId);
    set(span, ATTR_GEN_AI_TOOL_TYPE, m.toolType);
    set(span, ATTR_GEN_AI_TOOL_DESCRIPTION, m.toolDescription);
    setAgent(span, m);
    set(span, ATTR_WEFT_CAPABILITY_SAFETY_CLASS, m.safetyClass);
    set(span, ATTR_WEFT_CAPABILITY_SENSITIVITY, m.sensitivity);
    set(span, ATTR_WEFT_RESPONSE_MODE_EFFECTIVE, m.responseMode);
    set(span, ATTR_WEFT_DRIVER_ID, m.driverId);
    const tried = m.driversTried;
    if (m.fallback !== undefined) {
      // The kernel's `fallback` (like stats.fallbackActivations) is true as soon as any driver
      // failed, even the only one. On the span it means what a reader expects: a later driver
      // was tried after an earlier one failed, i.e. more than one driver was attempted.
      span.setAttribute(ATTR_WEFT_DRIVER_FALLBACK, m.fallback && tried !== undefined && tried.length > 1);
    }
    // The list is only informative when more than the final driver was tried.
    if (tried !== undefined && tried.length > 1) span.setAttribute(ATTR_WEFT_DRIVER_TRIED_IDS, tried);
    set(span, ATTR_WEFT_HANDLE_ID, m.handleId);
    set(span, ATTR_WEFT_DECISION, m.decision);
    set(span, ATTR_WEFT_REASON_CODE, m.reasonCode);
  },
};

export const expandSpec: OperationSpec<ExpandMessage> = {
  operation: "expand",
  async: false,
  channel: CHANNEL_EXPAND,
  spanName: (m) =>
    m.capabilityId === undefined ? SPAN_EXPAND_HANDLE : `${SPAN_EXPAND_HANDLE} ${m.capabilityId}`,
  start(m) {
    return freshStart(this, m);
  },
  startAttributes: (m) => ({
    [ATTR_WEFT_KERNEL_ID]: m.kernelId,
    [ATTR_WEFT_PRINCIPAL_ID]: m.principalId,
    [ATTR_WEFT_HANDLE_ID]: m.handleId,
  }),
  finish(span, m) {
    // The capability is known only once the handle has been looked up.
    if (m.capabilityId !== undefined) span.updateName(`${SPAN_EXPAND_HANDLE} ${m.capabilityId}`);
    set(span, ATTR_WEFT_CAPABILITY_ID, m.capabilityId);
    set(span, ATTR_WEFT_ACTION_ID, m.actionId);
    set(span, ATTR_WEFT_EXPAND_ROW_COUNT, m.rowCount);
    set(span, ATTR_WEFT_REASON_CODE, m.reasonCode);
    setAgent(span, m);
  },
};

export const revokeSpec: OperationSpec<RevokeMessage> = {
  operation: "revoke",
  async: false,
  channel: CHANNEL_REVOKE,
  spanName: (m) => (m.tokenId === undefined ? SPAN_REVOKE_PRINCIPAL : SPAN_REVOKE_TOKEN),
  start(m) {
    return freshStart(this, m);
  },
  startAttributes: (m) => {
    const attributes: Attributes = { [ATTR_WEFT_KERNEL_ID]: m.kernelId };
    if (m.tokenId !== undefined) attributes[ATTR_WEFT_TOKEN_ID] = m.tokenId;
    if (m.principalId !== undefined) attributes[ATTR_WEFT_PRINCIPAL_ID] = m.principalId;
    return attributes;
  },
  finish(span, m) {
    set(span, ATTR_WEFT_REVOKE_COUNT, m.revokedCount);
    set(span, ATTR_WEFT_ACTION_ID, m.actionId);
    setAgent(span, m);
  },
};

export const OPERATION_SPECS: readonly OperationSpec[] = [
  grantSpec as OperationSpec,
  invokeSpec as OperationSpec,
  expandSpec as OperationSpec,
  revokeSpec as OperationSpec,
];
