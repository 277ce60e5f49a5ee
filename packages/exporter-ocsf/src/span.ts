// Kernel span → OCSF 1.8.0 API Activity: the event an ActionTrace of the same action would give,
// plus span timing and parentage (the `trace` profile). Structural span type, so spans of
// OTel SDK 3 (`@opentelemetry/sdk-trace`) and SDK 2 (`@opentelemetry/sdk-trace-base`) both fit.
import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_HOST_NAME,
  ATTR_SERVICE_NAME,
  ATTR_WEFT_ACTION_ID,
  ATTR_WEFT_CAPABILITY_ID,
  ATTR_WEFT_CAPABILITY_SAFETY_CLASS,
  ATTR_WEFT_CAPABILITY_SENSITIVITY,
  ATTR_WEFT_DECISION,
  ATTR_WEFT_DRIVER_ID,
  ATTR_WEFT_DRY_RUN,
  ATTR_WEFT_EXPAND_ROW_COUNT,
  ATTR_WEFT_HANDLE_ID,
  ATTR_WEFT_KERNEL_ID,
  ATTR_WEFT_PRINCIPAL_ID,
  ATTR_WEFT_REASON_CODE,
  ATTR_WEFT_RESPONSE_MODE_EFFECTIVE,
  ATTR_WEFT_RESPONSE_MODE_REQUESTED,
  ATTR_WEFT_REVOKE_COUNT,
  ATTR_WEFT_TOKEN_ID,
  EVENT_WEFT_DENY,
  GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL,
  SCOPE_INSTRUMENTATION_KERNEL,
  SPAN_EXPAND_HANDLE,
  SPAN_GRANT_CAPABILITY,
  SPAN_REVOKE_PRINCIPAL,
  SPAN_REVOKE_TOKEN,
  WEFT_DECISION_VALUE_DENY,
} from "@weft/semconv";
import type { OcsfApiActivity } from "./event.js";
import {
  buildApiActivity,
  type KernelEventFacts,
  type KernelOperation,
  type OcsfMappingOptions,
} from "./facts.js";
import { type HrTime, hrTimeToMillis } from "./time.js";

/** The parts of an OTel `ReadableSpan` the mapping reads (SDK 2.x and 3.x shapes). */
export interface OcsfReadableSpan {
  readonly name: string;
  spanContext(): { traceId: string; spanId: string };
  /** SDK 2/3. */
  readonly parentSpanContext?: { spanId: string } | undefined;
  /** SDK 1 (kept so older spans still map). */
  readonly parentSpanId?: string | undefined;
  readonly startTime: HrTime;
  readonly endTime: HrTime;
  readonly status: { code: number; message?: string | undefined };
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly events?: readonly { name: string }[];
  readonly resource?: { attributes: Readonly<Record<string, unknown>> } | undefined;
  readonly instrumentationScope?: { name: string } | undefined;
}

export interface SpanOcsfOptions extends OcsfMappingOptions {
  /**
   * Map spans that did not come from the kernel instrumentation too, as API Activity "Other"
   * with `api.operation` = span name (default false: they are skipped).
   */
  includeNonKernelSpans?: boolean;
}

const STATUS_ERROR = 2;

function str(attributes: Readonly<Record<string, unknown>>, key: string): string | undefined {
  const value = attributes[key];
  return typeof value === "string" && value !== "" ? value : undefined;
}

function num(attributes: Readonly<Record<string, unknown>>, key: string): number | undefined {
  const value = attributes[key];
  return typeof value === "number" ? value : undefined;
}

/** The kernel operation a span records, or undefined when it is not a kernel span. */
export function kernelOperationOf(span: OcsfReadableSpan): KernelOperation | undefined {
  const a = span.attributes;
  const fromKernel =
    span.instrumentationScope?.name === SCOPE_INSTRUMENTATION_KERNEL ||
    str(a, ATTR_WEFT_KERNEL_ID) !== undefined;
  if (!fromKernel) return undefined;
  if (a[ATTR_GEN_AI_OPERATION_NAME] === GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL) return "invoke";
  const first = span.name.split(" ", 1)[0];
  if (first === SPAN_GRANT_CAPABILITY) return "grant";
  if (first === SPAN_EXPAND_HANDLE) return "expand";
  if (first === SPAN_REVOKE_TOKEN || first === SPAN_REVOKE_PRINCIPAL) return "revoke";
  return undefined;
}

function parentOf(span: OcsfReadableSpan): string | undefined {
  const parent = span.parentSpanContext?.spanId ?? span.parentSpanId;
  return parent !== undefined && parent !== "" ? parent : undefined;
}

function resourceString(span: OcsfReadableSpan, key: string): string | undefined {
  const value = span.resource?.attributes[key];
  return typeof value === "string" && value !== "" ? value : undefined;
}

/**
 * Maps a kernel span to an OCSF 1.8.0 API Activity event; returns undefined for other spans
 * unless `includeNonKernelSpans`. Only known attributes are read: args digests, unknown
 * attributes and span events' contents never reach the event.
 */
export function spanToOcsf(
  span: OcsfReadableSpan,
  options: SpanOcsfOptions = {},
): OcsfApiActivity | undefined {
  const operation = kernelOperationOf(span);
  if (operation === undefined && options.includeNonKernelSpans !== true) return undefined;
  const a = span.attributes;
  const { traceId, spanId } = span.spanContext();
  const startTimeMs = hrTimeToMillis(span.startTime);
  const endTimeMs = hrTimeToMillis(span.endTime);
  const failed = span.status.code === STATUS_ERROR;
  const denied =
    a[ATTR_WEFT_DECISION] === WEFT_DECISION_VALUE_DENY ||
    (span.events ?? []).some((event) => event.name === EVENT_WEFT_DENY);
  // Only the stable error.type is read: a status description may quote args or secrets.
  const errorType = str(a, ATTR_ERROR_TYPE) ?? (failed ? "error" : undefined);
  const actionId = str(a, ATTR_WEFT_ACTION_ID);
  const safetyClass = str(a, ATTR_WEFT_CAPABILITY_SAFETY_CLASS);
  const capabilityId = str(a, ATTR_WEFT_CAPABILITY_ID) ?? str(a, ATTR_GEN_AI_TOOL_NAME);
  const resolvedSafety =
    safetyClass ?? (capabilityId !== undefined ? options.safetyClassOf?.(capabilityId) : undefined);
  const facts: KernelEventFacts = {
    operation: operation ?? "span",
    denied,
    uid: actionId ?? spanId,
    timeMs: startTimeMs,
    extras: {
      event_type: denied ? "deny" : (operation ?? "span"),
      driver_id: str(a, ATTR_WEFT_DRIVER_ID),
      handle_id: str(a, ATTR_WEFT_HANDLE_ID),
      requested_response_mode: str(a, ATTR_WEFT_RESPONSE_MODE_REQUESTED),
      row_count: num(a, ATTR_WEFT_EXPAND_ROW_COUNT),
      revoked_count: num(a, ATTR_WEFT_REVOKE_COUNT),
      dry_run: a[ATTR_WEFT_DRY_RUN] === true ? true : undefined,
    },
  };
  const set = <K extends keyof KernelEventFacts>(key: K, value: KernelEventFacts[K] | undefined) => {
    if (value !== undefined) facts[key] = value;
  };
  set("actionId", actionId);
  set("capabilityId", operation === undefined ? span.name : capabilityId);
  set("principalId", str(a, ATTR_WEFT_PRINCIPAL_ID));
  set("tokenId", str(a, ATTR_WEFT_TOKEN_ID));
  set("driverId", str(a, ATTR_WEFT_DRIVER_ID));
  set("handleId", str(a, ATTR_WEFT_HANDLE_ID));
  set("error", errorType !== undefined && (failed || denied) ? errorType : undefined);
  set("reasonCode", str(a, ATTR_WEFT_REASON_CODE));
  set("safetyClass", resolvedSafety);
  set("sensitivity", str(a, ATTR_WEFT_CAPABILITY_SENSITIVITY));
  set("responseMode", str(a, ATTR_WEFT_RESPONSE_MODE_EFFECTIVE));
  set("kernelId", str(a, ATTR_WEFT_KERNEL_ID));
  const mappingOptions: OcsfMappingOptions = { ...options };
  const serviceName = options.serviceName ?? resourceString(span, ATTR_SERVICE_NAME);
  const hostname = options.hostname ?? resourceString(span, ATTR_HOST_NAME);
  if (serviceName !== undefined) mappingOptions.serviceName = serviceName;
  if (hostname !== undefined) mappingOptions.hostname = hostname;
  const parentSpanId = parentOf(span);
  return buildApiActivity(facts, mappingOptions, {
    traceId,
    spanId,
    startTimeMs,
    endTimeMs,
    spanName: span.name,
    spanStatus: failed ? "error" : span.status.code === 1 ? "ok" : "unset",
    ...(parentSpanId !== undefined ? { parentSpanId } : {}),
  });
}
