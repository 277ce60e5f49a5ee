// Keys and values of other backends' conventions that Weft writes only when asked
// (`KernelInstrumentation({ compat: [...] })`): each names the kind of span, never its payload.
// These namespaces are the only non-`weft.*`, non-OpenTelemetry keys Weft emits.

/** OpenInference (Arize Phoenix) span kind. Stability: external (OpenInference). */
export const ATTR_OPENINFERENCE_SPAN_KIND = "openinference.span.kind";
/** `openinference.span.kind` of a tool execution. */
export const OPENINFERENCE_SPAN_KIND_VALUE_TOOL = "TOOL";
/** `openinference.span.kind` of a policy decision (grants and denials). */
export const OPENINFERENCE_SPAN_KIND_VALUE_GUARDRAIL = "GUARDRAIL";
/** `openinference.span.kind` of a kernel step that is neither (expand, revoke). */
export const OPENINFERENCE_SPAN_KIND_VALUE_CHAIN = "CHAIN";

/** Traceloop (OpenLLMetry) span kind. Stability: external (Traceloop). */
export const ATTR_TRACELOOP_SPAN_KIND = "traceloop.span.kind";
/** `traceloop.span.kind` of a tool execution. */
export const TRACELOOP_SPAN_KIND_VALUE_TOOL = "tool";
/** `traceloop.span.kind` of any other kernel step. */
export const TRACELOOP_SPAN_KIND_VALUE_TASK = "task";
/** Traceloop entity name: the capability id. Stability: external (Traceloop). */
export const ATTR_TRACELOOP_ENTITY_NAME = "traceloop.entity.name";

/** Langfuse observation type. Stability: external (Langfuse). */
export const ATTR_LANGFUSE_OBSERVATION_TYPE = "langfuse.observation.type";
/** `langfuse.observation.type` of a tool execution. */
export const LANGFUSE_OBSERVATION_TYPE_VALUE_TOOL = "tool";
/** `langfuse.observation.type` of a policy decision. */
export const LANGFUSE_OBSERVATION_TYPE_VALUE_GUARDRAIL = "guardrail";
/** `langfuse.observation.type` of any other kernel step. */
export const LANGFUSE_OBSERVATION_TYPE_VALUE_CHAIN = "chain";

/** Attribute namespaces of the compat keys above (for checks that every key is accounted for). */
export const COMPAT_NAMESPACES = ["openinference.", "traceloop.", "langfuse."] as const;
