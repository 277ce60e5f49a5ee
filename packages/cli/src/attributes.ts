// Span attribute names the CLI reads when joining spans with action records. The action and
// principal ids come from the store (which indexes them); the rest are the instrumentation's names
// (@weft/instrumentation-kernel attributes.ts), restated here because the CLI does not depend on it.
export { ATTR_ACTION_ID, ATTR_PRINCIPAL_ID } from "@weft/chained-store";
export const ATTR_SAFETY_CLASS = "weft.capability.safety_class";
export const ATTR_DECISION = "weft.decision";
export const ATTR_REASON_CODE = "weft.reason_code";
export const RESOURCE_SERVICE_NAME = "service.name";
export const RESOURCE_HOST_NAME = "host.name";
/** Action id on kernel spans that are not tool calls (grant, deny, expand). */
export const ATTR_WEFT_ACTION_ID = "weft.action.id";
