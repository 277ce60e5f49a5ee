// The opt-in span-kind keys of other backends (`compat` option): what kind of step a kernel span
// is, in each backend's own words. Kinds only — never argument or result values.

import type { Attributes } from "@opentelemetry/api";
import {
  ATTR_LANGFUSE_OBSERVATION_TYPE,
  ATTR_OPENINFERENCE_SPAN_KIND,
  ATTR_TRACELOOP_ENTITY_NAME,
  ATTR_TRACELOOP_SPAN_KIND,
  LANGFUSE_OBSERVATION_TYPE_VALUE_CHAIN,
  LANGFUSE_OBSERVATION_TYPE_VALUE_GUARDRAIL,
  LANGFUSE_OBSERVATION_TYPE_VALUE_TOOL,
  OPENINFERENCE_SPAN_KIND_VALUE_CHAIN,
  OPENINFERENCE_SPAN_KIND_VALUE_GUARDRAIL,
  OPENINFERENCE_SPAN_KIND_VALUE_TOOL,
  TRACELOOP_SPAN_KIND_VALUE_TASK,
  TRACELOOP_SPAN_KIND_VALUE_TOOL,
} from "@weft/semconv";
import type { CompatBackend, KernelOperation } from "./config.js";

/** A tool call (even a refused one: it is still the tool's span), a grant decision, or another step. */
type Role = "tool" | "guardrail" | "chain";

function roleOf(operation: KernelOperation): Role {
  if (operation === "invoke") return "tool";
  if (operation === "grant") return "guardrail";
  return "chain";
}

const OPENINFERENCE: Record<Role, string> = {
  tool: OPENINFERENCE_SPAN_KIND_VALUE_TOOL,
  guardrail: OPENINFERENCE_SPAN_KIND_VALUE_GUARDRAIL,
  chain: OPENINFERENCE_SPAN_KIND_VALUE_CHAIN,
};
const LANGFUSE: Record<Role, string> = {
  tool: LANGFUSE_OBSERVATION_TYPE_VALUE_TOOL,
  guardrail: LANGFUSE_OBSERVATION_TYPE_VALUE_GUARDRAIL,
  chain: LANGFUSE_OBSERVATION_TYPE_VALUE_CHAIN,
};

/** Builds the setter for a configured set of backends, or undefined when none is configured. */
export function compatSetter(
  backends: readonly CompatBackend[] | undefined,
): ((operation: KernelOperation, capabilityId: string | undefined) => Attributes) | undefined {
  if (backends === undefined || backends.length === 0) return undefined;
  const openinference = backends.includes("openinference");
  const traceloop = backends.includes("traceloop");
  const langfuse = backends.includes("langfuse");
  return (operation, capabilityId) => {
    const role = roleOf(operation);
    const out: Attributes = {};
    if (openinference) out[ATTR_OPENINFERENCE_SPAN_KIND] = OPENINFERENCE[role];
    if (traceloop) {
      out[ATTR_TRACELOOP_SPAN_KIND] =
        role === "tool" ? TRACELOOP_SPAN_KIND_VALUE_TOOL : TRACELOOP_SPAN_KIND_VALUE_TASK;
      if (capabilityId !== undefined && capabilityId !== "") out[ATTR_TRACELOOP_ENTITY_NAME] = capabilityId;
    }
    if (langfuse) out[ATTR_LANGFUSE_OBSERVATION_TYPE] = LANGFUSE[role];
    return out;
  };
}
