// Public surface of @weft/node: the one-call set-up and its options.
export {
  DEFAULT_SHUTDOWN_TIMEOUT_MS,
  DEFAULT_STORE_PATH,
  type MetricExporterName,
  type OtlpProtocol,
  type TraceExporterName,
  type WeftNodeOptions,
} from "./config.js";
export {
  ATTR_ERROR_CODE,
  ATTR_FALLBACK,
  ATTR_SETTING,
  METER_NAME,
  METRIC_ACTION_WRITE_ERRORS,
  METRIC_CONFIG_ERRORS,
} from "./names.js";
export type { Fallback, Problem, Setting } from "./report.js";
export { startWeft, type WeftHandle } from "./start.js";
