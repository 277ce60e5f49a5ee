// The names @weft/node's own telemetry uses, under the short names this package has always
// exported. Their one home is @weft/semconv; these are aliases, never second spellings.

export {
  ATTR_ERROR_TYPE as ATTR_ERROR_CODE,
  ATTR_WEFT_NODE_FALLBACK as ATTR_FALLBACK,
  ATTR_WEFT_NODE_SETTING as ATTR_SETTING,
  METRIC_WEFT_NODE_ACTIONS_WRITE_ERRORS as METRIC_ACTION_WRITE_ERRORS,
  METRIC_WEFT_NODE_CONFIG_ERRORS as METRIC_CONFIG_ERRORS,
  SCOPE_NODE as METER_NAME,
} from "@weft/semconv";
