// @weft/cli public surface: the `weft` entry point for embedding, and the OTLP/JSON conversion and
// collector diff, which end-to-end tests use without spawning the binary.

export { main } from "./main.js";
export type { ExportTraceServiceRequest, OtlpAnyValue, OtlpKeyValue, OtlpSpan } from "./otlp.js";
export { spanRecordsToRequest, spanRecordsToRequests, spanRecordToOtlp, toAnyValue } from "./otlp.js";
export { type CollectedSpan, parseCollectorFile } from "./otlp-collector-file.js";
export type { DiffOptions, OtlpDiff, SpanDifference } from "./otlp-diff.js";
export { diffSpans } from "./otlp-diff.js";
export type { Output } from "./output.js";
