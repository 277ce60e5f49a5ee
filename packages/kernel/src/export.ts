// The reference's trace export/persistence shape: `exportActionTrace` builds the 16-key dict in
// the reference's key order; `decodeTrace` reads one back (persisted payloads ignore `status`
// and `correction`). Serialize with `pyJsonDumps` to match Python byte for byte.

import { TraceDecodeError } from "./errors.js";
import { normalizeIsoformat } from "./isoformat.js";
import { pyStrRepr } from "./pyjson.js";
import {
  type ActionTrace,
  type ExportedActionTrace,
  type ResponseMode,
  type ResultSummary,
  Sensitivity,
  type TraceEventType,
} from "./trace.js";

export const TRACE_EXPORT_SCHEMA = "weaver_kernel.action_trace_export";
export const TRACE_EXPORT_VERSION = "1";

export interface ActionTraceExport {
  schema: typeof TRACE_EXPORT_SCHEMA;
  version: typeof TRACE_EXPORT_VERSION;
  traces: ExportedActionTrace[];
}

export function exportActionTrace(
  trace: ActionTrace,
  options: { correction?: unknown } = {},
): ExportedActionTrace {
  const out: ExportedActionTrace = {
    action_id: trace.actionId,
    capability_id: trace.capabilityId,
    principal_id: trace.principalId,
    token_id: trace.tokenId,
    invoked_at: trace.invokedAt,
    response_mode: trace.responseMode,
    driver_id: trace.driverId,
    handle_id: trace.handleId,
    sensitivity: trace.sensitivity,
    status: trace.error !== null ? "failed" : "succeeded",
    event_type: trace.eventType,
    reason_code: trace.reasonCode,
    error: trace.error,
    args: trace.args,
    result_summary: trace.resultSummary as Record<string, unknown> | null,
    correction: options.correction ?? null,
  };
  // Extensions after the reference's keys, and only when set: a trace without them exports
  // exactly the reference's 16 keys.
  if (trace.toolCallId !== undefined) out.tool_call_id = trace.toolCallId;
  if (trace.agentName !== undefined) out.agent_name = trace.agentName;
  if (trace.agentId !== undefined) out.agent_id = trace.agentId;
  if (trace.conversationId !== undefined) out.conversation_id = trace.conversationId;
  return out;
}

export function exportActionTraces(
  traces: Iterable<ActionTrace>,
  options: { corrections?: Readonly<Record<string, unknown>> } = {},
): ActionTraceExport {
  const corrections = options.corrections ?? {};
  return {
    schema: TRACE_EXPORT_SCHEMA,
    version: TRACE_EXPORT_VERSION,
    traces: [...traces].map((t) =>
      exportActionTrace(t, {
        correction: Object.hasOwn(corrections, t.actionId) ? corrections[t.actionId] : null,
      }),
    ),
  };
}

const REQUIRED = [
  "action_id",
  "capability_id",
  "principal_id",
  "token_id",
  "invoked_at",
  "args",
  "response_mode",
  "driver_id",
] as const;

/** Reads a persisted/exported trace dict; TraceDecodeError on a missing or malformed field. */
export function decodeTrace(data: unknown): ActionTrace {
  if (typeof data !== "object" || data === null || Array.isArray(data))
    throw new TraceDecodeError("Trace payload is not an object.");
  const d = data as Record<string, unknown>;
  for (const k of REQUIRED)
    if (!Object.hasOwn(d, k))
      throw new TraceDecodeError(`Trace payload is missing required field ${pyStrRepr(k)}.`);
  const str = (k: string): string => {
    const v = d[k];
    if (typeof v !== "string")
      throw new TraceDecodeError(`Trace payload field ${pyStrRepr(k)} is malformed: not a string.`);
    return v;
  };
  const optStr = (k: string): string | null => (d[k] === undefined || d[k] === null ? null : str(k));
  const invokedAt = normalizeIsoformat(str("invoked_at"));
  if (invokedAt === null)
    throw new TraceDecodeError(`Trace payload has a malformed invoked_at: ${pyStrRepr(str("invoked_at"))}.`);
  const sensitivity = d.sensitivity === undefined || d.sensitivity === null ? "NONE" : str("sensitivity");
  if (!Object.hasOwn(Sensitivity, sensitivity))
    throw new TraceDecodeError(`Trace payload has a malformed sensitivity: ${pyStrRepr(sensitivity)}.`);
  const args = d.args;
  if (typeof args !== "object" || args === null || Array.isArray(args))
    throw new TraceDecodeError("Trace payload field 'args' is malformed: not an object.");
  const rs = d.result_summary;
  if (rs !== undefined && rs !== null && (typeof rs !== "object" || Array.isArray(rs)))
    throw new TraceDecodeError("Trace payload field 'result_summary' is malformed: not an object.");
  const trace: ActionTrace = {
    actionId: str("action_id"),
    capabilityId: str("capability_id"),
    principalId: str("principal_id"),
    tokenId: str("token_id"),
    invokedAt,
    args: args as Record<string, unknown>,
    responseMode: str("response_mode") as ResponseMode,
    driverId: str("driver_id"),
    handleId: optStr("handle_id"),
    error: optStr("error"),
    resultSummary: (rs ?? null) as ResultSummary | null,
    sensitivity: sensitivity as Sensitivity,
    eventType: (optStr("event_type") ?? "invoke") as TraceEventType,
    reasonCode: optStr("reason_code"),
  };
  const toolCallId = optStr("tool_call_id");
  if (toolCallId !== null) trace.toolCallId = toolCallId;
  const agentName = optStr("agent_name");
  if (agentName !== null) trace.agentName = agentName;
  const agentId = optStr("agent_id");
  if (agentId !== null) trace.agentId = agentId;
  const conversationId = optStr("conversation_id");
  if (conversationId !== null) trace.conversationId = conversationId;
  return trace;
}
