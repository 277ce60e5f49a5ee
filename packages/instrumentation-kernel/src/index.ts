// Public surface of @weft/instrumentation-kernel.

export {
  type CaptureArgs,
  COMPAT_BACKENDS,
  type CompatBackend,
  type KernelInstrumentationConfig,
  type KernelMessage,
  type KernelOperation,
  type KernelSpanHook,
  type ToolSpanMode,
} from "./config.js";
export { InstrumentationConfigError } from "./errors.js";
export { KernelInstrumentation } from "./instrumentation.js";
export { COUNTER_METRICS, INVOKE_DURATION_BUCKETS, LEVEL_METRICS, TOOL_DURATION_METRIC } from "./metrics.js";
