// Values Weft writes into OCSF events (log name, policy, resource types): the OCSF side of the
// mapping. Span names and attribute keys it reads come from @weft/semconv.

export const DEFAULT_LOG_NAME = "weft.audit";
export const DEFAULT_SERVICE_NAME = "weft";
export const POLICY_NAME = "Weft kernel policy";
export const POLICY_TYPE = "Capability Policy";
export const RESOURCE_TYPE_CAPABILITY = "weft.capability";
export const RESOURCE_TYPE_HANDLE = "weft.handle";
export const RESOURCE_TYPE_TOKEN = "weft.token";
export const RESOURCE_TYPE_PRINCIPAL = "weft.principal";
export const RESOURCE_TYPE_CHECKPOINT = "weft.checkpoint";
export const RESOURCE_TYPE_TRANSPARENCY_LOG = "weft.transparency_log";
/** `api.operation` / `metadata.event_code` of a checkpoint publication. */
export const OPERATION_CHECKPOINT_PUBLISH = "checkpoint.publish";
/** `api.service.name` of a checkpoint publication: the store, not a kernel driver. */
export const SERVICE_CHAINED_STORE = "weft.chained-store";
