// ActionTrace → OCSF 1.8.0 API Activity (class 6003). Pure: no I/O, no clock. Args are never
// read; token signatures are not part of an ActionTrace at all.
import type { ActionTrace } from "@weft/kernel";
import type { OcsfApiActivity } from "./event.js";
import { buildApiActivity, type KernelEventFacts, type OcsfMappingOptions } from "./facts.js";
import { isoToEpochMillis } from "./time.js";

export interface ActionTraceOcsfOptions extends OcsfMappingOptions {
  /** The OTel trace the action ran in, when known: sets `trace` and `metadata.correlation_uid`. */
  traceContext?: {
    traceId: string;
    spanId?: string;
    parentSpanId?: string;
    /** Span timing in epoch ms; OCSF's `trace.span` needs both, otherwise the span id goes to `unmapped`. */
    startTimeMs?: number;
    endTimeMs?: number;
  };
}

/** The kernel facts of a trace. A deny with no token was refused at grant time. */
export function actionTraceFacts(trace: ActionTrace, options: OcsfMappingOptions = {}): KernelEventFacts {
  const denied = trace.eventType === "deny";
  const operation =
    trace.eventType === "expand" ? "expand" : denied && trace.tokenId === "" ? "grant" : "invoke";
  const safetyClass = options.safetyClassOf?.(trace.capabilityId);
  return {
    operation,
    denied,
    uid: trace.actionId,
    actionId: trace.actionId,
    capabilityId: trace.capabilityId,
    principalId: trace.principalId,
    tokenId: trace.tokenId,
    driverId: trace.driverId,
    ...(trace.handleId !== null ? { handleId: trace.handleId } : {}),
    ...(trace.error !== null ? { error: trace.error } : {}),
    ...(trace.reasonCode !== null ? { reasonCode: trace.reasonCode } : {}),
    ...(safetyClass !== undefined ? { safetyClass } : {}),
    sensitivity: trace.sensitivity,
    responseMode: trace.responseMode,
    timeMs: isoToEpochMillis(trace.invokedAt),
    originalTime: trace.invokedAt,
    extras: {
      event_type: trace.eventType,
      driver_id: trace.driverId || undefined,
      handle_id: trace.handleId,
      result_summary: trace.resultSummary === null ? undefined : { ...trace.resultSummary },
    },
  };
}

/**
 * Maps one ActionTrace to an OCSF 1.8.0 API Activity event. Activity: expand → Read; invoke and
 * deny → by safety class (READ → Read, WRITE → Update, DESTRUCTIVE → Delete, unknown → Other);
 * severity: deny → Medium (High when DESTRUCTIVE), failure → Low, success → Informational.
 */
export function actionTraceToOcsf(trace: ActionTrace, options: ActionTraceOcsfOptions = {}): OcsfApiActivity {
  const { traceContext } = options;
  return buildApiActivity(
    actionTraceFacts(trace, options),
    options,
    traceContext === undefined ? undefined : { ...traceContext },
  );
}
