// Public surface of @weft/instrumentation-kernel.

export type {
  CaptureArgs,
  KernelInstrumentationConfig,
  KernelMessage,
  KernelOperation,
  KernelSpanHook,
} from "./config.js";
export { InstrumentationConfigError } from "./errors.js";
export { KernelInstrumentation } from "./instrumentation.js";
export { COUNTER_METRICS, GAUGE_METRICS, METRIC_INVOKE_DURATION } from "./metrics.js";
