// Span attribute keys and span names this package reads, and the OCSF names it writes.
// The keys are copied from @weft/instrumentation-kernel's attributes.ts (the instrumentation
// owns them) so that the exporter has no runtime dependency on the instrumentation; a test in
// this package fails if the two drift apart.

export const KERNEL_INSTRUMENTATION_SCOPE = "@weft/instrumentation-kernel";

export const SPAN_EXECUTE_TOOL = "execute_tool";
export const SPAN_GRANT = "grant_capability";
export const SPAN_EXPAND = "expand_handle";
export const SPAN_REVOKE_TOKEN = "revoke_token";
export const SPAN_REVOKE_PRINCIPAL = "revoke_principal";
export const EVENT_DENY = "weft.deny";

export const ATTR_GEN_AI_OPERATION_NAME = "gen_ai.operation.name";
export const ATTR_GEN_AI_TOOL_NAME = "gen_ai.tool.name";
export const ATTR_GEN_AI_TOOL_CALL_ID = "gen_ai.tool.call.id";
export const ATTR_ERROR_TYPE = "error.type";
export const GEN_AI_OPERATION_EXECUTE_TOOL = "execute_tool";

export const ATTR_KERNEL_ID = "weft.kernel.id";
export const ATTR_PRINCIPAL_ID = "weft.principal.id";
export const ATTR_CAPABILITY_ID = "weft.capability.id";
export const ATTR_SAFETY_CLASS = "weft.capability.safety_class";
export const ATTR_SENSITIVITY = "weft.capability.sensitivity";
export const ATTR_RESPONSE_MODE_EFFECTIVE = "weft.response_mode.effective";
export const ATTR_RESPONSE_MODE_REQUESTED = "weft.response_mode.requested";
export const ATTR_DRIVER_ID = "weft.driver.id";
export const ATTR_DRY_RUN = "weft.dry_run";
export const ATTR_TOKEN_ID = "weft.token.id";
export const ATTR_DECISION = "weft.decision";
export const ATTR_REASON_CODE = "weft.reason_code";
export const ATTR_HANDLE_ID = "weft.handle.id";
export const ATTR_ACTION_ID = "weft.action.id";
export const ATTR_ROW_COUNT = "weft.expand.row_count";
export const ATTR_REVOKED_COUNT = "weft.revoke.count";

// Resource attributes (OTel semantic conventions).
export const RESOURCE_SERVICE_NAME = "service.name";
export const RESOURCE_HOST_NAME = "host.name";

// OCSF values Weft writes.
export const DEFAULT_LOG_NAME = "weft.audit";
export const DEFAULT_SERVICE_NAME = "weft";
export const POLICY_NAME = "Weft kernel policy";
export const POLICY_TYPE = "Capability Policy";
export const RESOURCE_TYPE_CAPABILITY = "weft.capability";
export const RESOURCE_TYPE_HANDLE = "weft.handle";
export const RESOURCE_TYPE_TOKEN = "weft.token";
export const RESOURCE_TYPE_PRINCIPAL = "weft.principal";
