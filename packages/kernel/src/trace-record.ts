// Builds the ActionTraces the kernel writes (invoke success/failure, grant deny, expand), with
// args and error text redacted exactly as the reference does before anything is stored.

import type { AgentContext } from "./agent-context.js";
import { REDACTED, redact, redactString } from "./firewall/redact.js";
import { nowIso } from "./isoformat.js";
import type { Frame } from "./models.js";
import type { ActionTrace, ResponseMode, ResultSummary, Sensitivity } from "./trace.js";

const MEMORY_PREFIX = "memory.";
const MEMORY_CONTENT_KEYS = new Set(["payload", "content", "value", "memory", "text", "body"]);

/** Memory-capability content keys are blanked, then every arg goes through the firewall's redact. */
export function redactArgsForTrace(
  capabilityId: string,
  args: Record<string, unknown>,
): Record<string, unknown> {
  let input = args;
  if (capabilityId.startsWith(MEMORY_PREFIX)) {
    input = {};
    for (const [k, v] of Object.entries(args))
      input[k] = MEMORY_CONTENT_KEYS.has(k.toLowerCase()) ? REDACTED : v;
  }
  return redact(input).value;
}

export function redactText(text: string): string {
  return redactString(text).value;
}

export function resultSummary(frame: Frame): ResultSummary {
  return {
    fact_count: frame.facts.length,
    row_count: frame.tablePreview.length,
    warning_count: frame.warnings.length,
    has_handle: frame.handle !== null,
  };
}

export interface InvokeTraceFields {
  actionId: string;
  capabilityId: string;
  principalId: string;
  tokenId: string;
  args: Record<string, unknown>;
  responseMode: ResponseMode;
  driverId: string;
  sensitivity: Sensitivity;
  /** The model's tool-call id, when the caller gave one. */
  toolCallId: string | undefined;
  agent: AgentContext | undefined;
}

/** Adds the Weft extension fields that are known (none set leaves the reference's shape). */
export function withExtensions(
  trace: ActionTrace,
  toolCallId: string | undefined,
  agent: AgentContext | undefined,
): ActionTrace {
  if (toolCallId !== undefined) trace.toolCallId = toolCallId;
  if (agent !== undefined) {
    if (agent.name !== undefined) trace.agentName = agent.name;
    if (agent.id !== undefined) trace.agentId = agent.id;
    if (agent.conversationId !== undefined) trace.conversationId = agent.conversationId;
  }
  return trace;
}

export function invokeSuccessTrace(
  f: InvokeTraceFields,
  handleId: string | null,
  summary: ResultSummary,
): ActionTrace {
  return invokeTrace(f, handleId, null, summary);
}

export function invokeFailureTrace(f: InvokeTraceFields, errorMessage: string): ActionTrace {
  return invokeTrace(f, null, redactText(errorMessage), null);
}

/** Success and failure differ only in handle, error and summary; `error` presence is the status. */
function invokeTrace(
  f: InvokeTraceFields,
  handleId: string | null,
  error: string | null,
  summary: ResultSummary | null,
): ActionTrace {
  const trace: ActionTrace = {
    actionId: f.actionId,
    capabilityId: f.capabilityId,
    principalId: f.principalId,
    tokenId: f.tokenId,
    invokedAt: nowIso(),
    args: redactArgsForTrace(f.capabilityId, f.args),
    responseMode: f.responseMode,
    driverId: f.driverId,
    handleId,
    error,
    resultSummary: summary,
    sensitivity: f.sensitivity,
    eventType: "invoke",
    reasonCode: null,
  };
  return withExtensions(trace, f.toolCallId, f.agent);
}

/** Grant-time denial: no token, no args, sensitivity left NONE (as the reference writes it). */
export function denyTrace(
  actionId: string,
  capabilityId: string,
  principalId: string,
  reasonCode: string | null,
  message: string,
): ActionTrace {
  return {
    actionId,
    capabilityId,
    principalId,
    tokenId: "",
    invokedAt: nowIso(),
    args: {},
    responseMode: "summary",
    driverId: "",
    handleId: null,
    error: redactText(message),
    resultSummary: null,
    sensitivity: "NONE",
    eventType: "deny",
    reasonCode,
  };
}

export function expandTrace(
  actionId: string,
  capabilityId: string,
  principalId: string,
  handleId: string,
  query: Record<string, unknown>,
  frame: Frame,
): ActionTrace {
  return {
    actionId,
    capabilityId,
    principalId,
    tokenId: "",
    invokedAt: nowIso(),
    args: redactArgsForTrace(capabilityId, query),
    responseMode: frame.responseMode,
    driverId: "",
    handleId,
    error: null,
    resultSummary: resultSummary(frame),
    sensitivity: "NONE",
    eventType: "expand",
    reasonCode: null,
  };
}
