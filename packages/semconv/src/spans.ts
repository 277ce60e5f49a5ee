// Span names, span event names and instrumentation scope names. A kernel span's full name is the
// operation name followed by the capability id (`execute_tool lookup_customer`), as the GenAI
// conventions name tool spans.

/**
 * Span name of a tool invocation (`execute_tool {gen_ai.tool.name}`), per the GenAI conventions.
 *
 * Stability: development (OpenTelemetry GenAI).
 * @experimental
 */
export const SPAN_EXECUTE_TOOL = "execute_tool";
/** Span name of a capability grant (`grant_capability {capability}`). Stability: development (Weft 0.x). @experimental */
export const SPAN_GRANT_CAPABILITY = "grant_capability";
/** Span name of a handle expansion (`expand_handle {capability}` once the handle is known). Stability: development (Weft 0.x). @experimental */
export const SPAN_EXPAND_HANDLE = "expand_handle";
/** Span name of revoking one token. Stability: development (Weft 0.x). @experimental */
export const SPAN_REVOKE_TOKEN = "revoke_token";
/** Span name of revoking every token of a principal. Stability: development (Weft 0.x). @experimental */
export const SPAN_REVOKE_PRINCIPAL = "revoke_principal";

/** Span event added when the policy or the token check denied the operation. Stability: development (Weft 0.x). @experimental */
export const EVENT_WEFT_DENY = "weft.deny";

/** Instrumentation scope of every kernel span and metric. */
export const SCOPE_INSTRUMENTATION_KERNEL = "@weft/instrumentation-kernel";
/** Meter (instrumentation scope) of the span mirror's self-metrics. */
export const SCOPE_SPAN_PROCESSOR_CHAINED = "@weft/span-processor-chained";
/** Meter (and diag component) of @weft/node's set-up telemetry. */
export const SCOPE_NODE = "@weft/node";
