// Every span name, attribute key, attribute value and metric name this package emits, in one
// place. GenAI semantic-convention keys are used where a convention exists (they are still at
// "Development" stability, so keeping them here makes a future rename a one-file change).

/** Instrumentation scope name reported on every span and metric. */
export const INSTRUMENTATION_NAME = "@weft/instrumentation-kernel";
export const INSTRUMENTATION_VERSION = "0.1.0";

// --- span names -------------------------------------------------------------------------------
/** `execute_tool {capability}` per GenAI conventions (the tool name is the capability id). */
export const SPAN_EXECUTE_TOOL = "execute_tool";
export const SPAN_GRANT = "grant_capability";
export const SPAN_EXPAND = "expand_handle";
export const SPAN_REVOKE_TOKEN = "revoke_token";
export const SPAN_REVOKE_PRINCIPAL = "revoke_principal";

// --- span events ------------------------------------------------------------------------------
/** Added to a span whose operation the policy (or token check) denied. */
export const EVENT_DENY = "weft.deny";

// --- GenAI / general semantic-convention attributes ---------------------------------------------
export const ATTR_GEN_AI_OPERATION_NAME = "gen_ai.operation.name";
export const ATTR_GEN_AI_TOOL_NAME = "gen_ai.tool.name";
export const ATTR_GEN_AI_TOOL_CALL_ID = "gen_ai.tool.call.id";
export const ATTR_ERROR_TYPE = "error.type";
export const GEN_AI_OPERATION_EXECUTE_TOOL = "execute_tool";
/** `error.type` when a failure carries no stable code (semconv's fallback value). */
export const ERROR_TYPE_OTHER = "_OTHER";

// --- weft.* attributes ---------------------------------------------------------------------------
export const ATTR_KERNEL_ID = "weft.kernel.id";
export const ATTR_PRINCIPAL_ID = "weft.principal.id";
export const ATTR_CAPABILITY_ID = "weft.capability.id";
export const ATTR_SAFETY_CLASS = "weft.capability.safety_class";
export const ATTR_SENSITIVITY = "weft.capability.sensitivity";
export const ATTR_RESPONSE_MODE_REQUESTED = "weft.response_mode.requested";
export const ATTR_RESPONSE_MODE_EFFECTIVE = "weft.response_mode.effective";
export const ATTR_DRIVER_ID = "weft.driver.id";
export const ATTR_DRIVERS_TRIED = "weft.driver.tried";
export const ATTR_FALLBACK = "weft.driver.fallback";
export const ATTR_DRY_RUN = "weft.dry_run";
export const ATTR_TOKEN_ID = "weft.token.id";
export const ATTR_TOKEN_EXPIRES_AT = "weft.token.expires_at";
export const ATTR_DECISION = "weft.decision";
export const ATTR_REASON_CODE = "weft.reason_code";
export const ATTR_HANDLE_ID = "weft.handle.id";
/** Action id of a trace the kernel recorded outside an invoke (a denied grant, an expand). */
export const ATTR_ACTION_ID = "weft.action.id";
export const ATTR_ROW_COUNT = "weft.expand.row_count";
export const ATTR_REVOKED_COUNT = "weft.revoke.count";
/** `hmac-sha256:<hex>` of the canonical args, only with `captureArgs: "digest"`. */
export const ATTR_ARGS_DIGEST = "weft.args.digest";
export const ARGS_DIGEST_PREFIX = "hmac-sha256:";

// --- metrics (OTel naming: dot namespaces, unit in `unit`, no `_total`) ---------------------------
export interface MetricSpec {
  readonly name: string;
  readonly unit: string;
  readonly description: string;
}

/** Monotonic KernelStats counters, keyed by their `StatsSnapshot` field. */
export const COUNTER_METRICS = {
  grants: { name: "weft.kernel.grants", unit: "{grant}", description: "Capability grants issued." },
  denials: {
    name: "weft.kernel.denials",
    unit: "{denial}",
    description: "Requests the kernel denied, by weft.reason_code.",
  },
  invocations: {
    name: "weft.kernel.invocations",
    unit: "{invocation}",
    description: "Capability invocations started with a valid token.",
  },
  invocationFailures: {
    name: "weft.kernel.invocation.failures",
    unit: "{invocation}",
    description: "Invocations that ended in an error.",
  },
  fallbackActivations: {
    name: "weft.kernel.fallback.activations",
    unit: "{activation}",
    description: "Invocations that fell back to a later driver.",
  },
  redactionEvents: {
    name: "weft.kernel.redaction.events",
    unit: "{event}",
    description: "Fields redacted by the firewall.",
  },
  budgetDowngrades: {
    name: "weft.kernel.budget.downgrades",
    unit: "{downgrade}",
    description: "Responses downgraded to a cheaper mode by the budget.",
  },
  handleStores: {
    name: "weft.kernel.handle.stores",
    unit: "{handle}",
    description: "Result handles stored.",
  },
  expansions: {
    name: "weft.kernel.expansions",
    unit: "{expansion}",
    description: "Handle expansions served.",
  },
} as const satisfies Record<string, MetricSpec>;

/** Levels from `kernel.gauges()`, keyed by their field. */
export const GAUGE_METRICS = {
  traceStoreSize: {
    name: "weft.kernel.trace_store.size",
    unit: "{trace}",
    description: "Action traces held by the kernel's trace store.",
  },
  liveHandles: {
    name: "weft.kernel.handles.live",
    unit: "{handle}",
    description: "Result handles not yet expired.",
  },
  trackedRevocations: {
    name: "weft.kernel.revocations.tracked",
    unit: "{revocation}",
    description: "Token and principal revocations the kernel tracks.",
  },
} as const satisfies Record<string, MetricSpec>;

export const METRIC_INVOKE_DURATION: MetricSpec = {
  name: "weft.kernel.invoke.duration",
  unit: "s",
  description: "Duration of kernel.invoke, from token check to returned frame or error.",
};

/** Explicit buckets in seconds: tool calls span sub-millisecond local reads to slow HTTP calls. */
export const INVOKE_DURATION_BUCKETS = [
  0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];

/** Reason code reported for denials a kernel counted without a reason code. */
export const REASON_CODE_UNSPECIFIED = "UNSPECIFIED";
