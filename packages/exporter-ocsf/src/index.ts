// @weft/exporter-ocsf public surface: pure OCSF mappings, the span exporter and its sinks.
export { type ActionTraceOcsfOptions, actionTraceToOcsf } from "./action-trace.js";
export {
  type CheckpointCopies,
  type CheckpointCopiesOptions,
  type CheckpointCopiesStats,
  type CheckpointFacts,
  checkpointToOcsf,
  shipCheckpointCopies,
} from "./checkpoint.js";
export { OcsfConfigError, OcsfExporterClosedError, OcsfMappingError, OcsfSinkError } from "./errors.js";
export type {
  OcsfActor,
  OcsfApi,
  OcsfApiActivity,
  OcsfAuthorization,
  OcsfEndpoint,
  OcsfMetadata,
  OcsfResource,
  OcsfTrace,
  WeaverKernelOcsfEvent,
} from "./event.js";
export {
  createSink,
  type ExportActionsOptions,
  exportActionsAsOcsf,
  type OcsfTarget,
} from "./export-actions.js";
export {
  ExportResultCode,
  type OcsfExportResult,
  OcsfSpanExporter,
  type OcsfSpanExporterOptions,
  type OcsfSpanExporterStats,
} from "./exporter.js";
export { activityOf, type OcsfMappingOptions, severityOf } from "./facts.js";
export { Activity, CATEGORY_UID, CLASS_UID, OCSF_VERSION, Severity, Status } from "./ocsf.js";
export { HttpSink, type HttpSinkOptions, type HttpSinkStats } from "./sinks/http.js";
export { JsonlFileSink, type JsonlFileSinkOptions, type JsonlFileSinkStats } from "./sinks/jsonl-file.js";
export { type OcsfSink, serializeEvent } from "./sinks/sink.js";
export { StdoutSink, type StdoutSinkOptions } from "./sinks/stdout.js";
export { type OcsfReadableSpan, type SpanOcsfOptions, spanToOcsf } from "./span.js";
export { WEFT_VERSION } from "./version.js";
export { WEAVER_KERNEL_OCSF_VERSION, weaverKernelOcsf, weaverKernelOcsfAll } from "./weaver-kernel.js";
