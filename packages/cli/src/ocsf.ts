// OCSF output of action records through @weft/exporter-ocsf. When the spans chain holds the span
// of an action, its trace context, safety class and service/host enrich the event.
import type { ChainedStore, SpanRecordV1 } from "@weft/chained-store";
import { type ActionTraceOcsfOptions, actionTraceToOcsf, weaverKernelOcsf } from "@weft/exporter-ocsf";
import type { ActionTrace } from "@weft/kernel";
import { ATTR_HOST_NAME, ATTR_SERVICE_NAME, ATTR_WEFT_CAPABILITY_SAFETY_CLASS } from "@weft/semconv";

function nanosToMs(nanos: string): number {
  return Number(BigInt(nanos) / 1_000_000n);
}

function optionsFromSpan(span: SpanRecordV1): ActionTraceOcsfOptions {
  const options: ActionTraceOcsfOptions = {
    traceContext: {
      traceId: span.trace_id,
      spanId: span.span_id,
      ...(span.parent_span_id ? { parentSpanId: span.parent_span_id } : {}),
      startTimeMs: nanosToMs(span.start_time_unix_nano),
      endTimeMs: nanosToMs(span.end_time_unix_nano),
    },
  };
  const safety = span.attributes[ATTR_WEFT_CAPABILITY_SAFETY_CLASS];
  if (typeof safety === "string") options.safetyClassOf = () => safety;
  const service = span.resource.attributes[ATTR_SERVICE_NAME];
  if (typeof service === "string") options.serviceName = service;
  const host = span.resource.attributes[ATTR_HOST_NAME];
  if (typeof host === "string") options.hostname = host;
  return options;
}

export function* ocsfEvents(
  store: ChainedStore,
  traces: Iterable<ActionTrace>,
  version: "1.8.0" | "1.3.0",
): Generator<unknown> {
  if (version === "1.3.0") {
    for (const t of traces) yield weaverKernelOcsf(t);
    return;
  }
  const joinSpans = store.spans.count() > 0;
  for (const t of traces) {
    const span = joinSpans ? store.spans.query({ actionId: t.actionId, limit: 1 })[0]?.payload : undefined;
    yield actionTraceToOcsf(t, span ? optionsFromSpan(span) : {});
  }
}
