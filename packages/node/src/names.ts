// Names @weft/node exports its own telemetry under. They move to the project's names module
// (@weft/semconv) when it lands; until then this is their one home.

/** Meter (and diag component) name of the set-up module. */
export const METER_NAME = "@weft/node";
/** Counter: settings that were rejected at start-up (the app kept running with a fallback). */
export const METRIC_CONFIG_ERRORS = "weft.node.config.errors";
/** Counter: action traces the audit store failed to record (kept in memory instead). */
export const METRIC_ACTION_WRITE_ERRORS = "weft.node.actions.write_errors";
/** Attribute: which setting was rejected (`store`, `otlp`, `ocsf`, ...). */
export const ATTR_SETTING = "weft.node.setting";
/** Attribute: what Weft did instead (`memory`, `disabled`, `default`). */
export const ATTR_FALLBACK = "weft.node.fallback";
/** Attribute: the stable error code, when there was one. */
export const ATTR_ERROR_CODE = "error.type";
