// The facts one kernel event carries, whatever its source (an ActionTrace or a kernel span), and
// the one function that turns them into an OCSF 1.8.0 API Activity event. Keeping a single
// builder is what makes a span and a trace of the same action produce the same event.

import type { OcsfApiActivity, OcsfMetadata, OcsfResource, OcsfTrace } from "./event.js";
import {
  Activity,
  CATEGORY_NAME,
  CATEGORY_UID,
  CLASS_NAME,
  CLASS_UID,
  OCSF_VERSION,
  PROFILE_TRACE,
  ResourceRole,
  Severity,
  Status,
  typeUid,
} from "./ocsf.js";
import { PRODUCT_NAME, VENDOR_NAME, WEFT_VERSION } from "./version.js";
import {
  DEFAULT_LOG_NAME,
  DEFAULT_SERVICE_NAME,
  POLICY_NAME,
  POLICY_TYPE,
  RESOURCE_TYPE_CAPABILITY,
  RESOURCE_TYPE_HANDLE,
  RESOURCE_TYPE_PRINCIPAL,
  RESOURCE_TYPE_TOKEN,
} from "./vocabulary.js";

/** "span" marks a non-kernel span mapped on request (`includeNonKernelSpans`). */
export type KernelOperation = "grant" | "invoke" | "expand" | "revoke" | "span";

export interface KernelEventFacts {
  operation: KernelOperation;
  denied: boolean;
  /** Unique id of the event: the action id, else the span id. */
  uid: string;
  actionId?: string;
  capabilityId?: string;
  principalId?: string;
  tokenId?: string;
  driverId?: string;
  handleId?: string;
  /** Failure description (redacted kernel text or a stable error code); never args. */
  error?: string;
  reasonCode?: string;
  safetyClass?: string;
  sensitivity?: string;
  responseMode?: string;
  kernelId?: string;
  timeMs: number;
  originalTime?: string;
  /** Kernel fields with no OCSF home; copied to `unmapped` (only defined values). */
  extras: Record<string, unknown>;
}

/** Options shared by every mapping function. All optional; none is read from the environment. */
export interface OcsfMappingOptions {
  /** `src_endpoint.svc_name`: the service that ran the kernel (default: span resource `service.name`, else "weft"). */
  serviceName?: string;
  /** `src_endpoint.hostname` (default: span resource `host.name`). */
  hostname?: string;
  /** `metadata.log_name` (default "weft.audit"). */
  logName?: string;
  /** `metadata.tenant_uid`. */
  tenantUid?: string;
  /** `metadata.product.version` (default: this package's version). */
  productVersion?: string;
  /** Kernel instance id (`src_endpoint.uid`, `unmapped.kernel_id`) when the source does not carry it. */
  kernelId?: string;
  /**
   * Safety class of a capability ("READ" | "WRITE" | "DESTRUCTIVE"), for sources that do not
   * carry it (an ActionTrace). Drives the activity of invokes and denies; unknown → Other.
   */
  safetyClassOf?: (capabilityId: string) => string | undefined;
}

export interface TraceFacts {
  traceId: string;
  spanId?: string;
  parentSpanId?: string;
  startTimeMs?: number;
  endTimeMs?: number;
  spanName?: string;
  spanStatus?: string;
}

const OTHER_ACTIVITY_NAMES: Record<KernelOperation, string> = {
  grant: "Grant",
  invoke: "Invoke",
  expand: "Expand",
  revoke: "Revoke",
  span: "Other",
};

/**
 * Activity: what the API call did to its target. Expand reads rows → Read. Invoke (and a deny of
 * one, at grant or invoke time) takes the capability's safety class: READ → Read, WRITE → Update,
 * DESTRUCTIVE → Delete; with no safety class it is Other with activity_name "Invoke". Grant and
 * revoke act on tokens, not on the capability's target → Other ("Grant"/"Revoke").
 */
export function activityOf(facts: Pick<KernelEventFacts, "operation" | "safetyClass">): {
  id: number;
  name: string;
} {
  switch (facts.operation) {
    case "expand":
      return Activity.Read;
    case "invoke":
      switch (facts.safetyClass) {
        case "READ":
          return Activity.Read;
        case "WRITE":
          return Activity.Update;
        case "DESTRUCTIVE":
          return Activity.Delete;
        default:
          return { id: Activity.Other.id, name: OTHER_ACTIVITY_NAMES.invoke };
      }
    default:
      return { id: Activity.Other.id, name: OTHER_ACTIVITY_NAMES[facts.operation] };
  }
}

/** Severity: deny → Medium (High for a DESTRUCTIVE capability); other failure → Low; else Informational. */
export function severityOf(facts: Pick<KernelEventFacts, "denied" | "error" | "safetyClass">): {
  id: number;
  name: string;
} {
  if (facts.denied) return facts.safetyClass === "DESTRUCTIVE" ? Severity.High : Severity.Medium;
  if (facts.error !== undefined) return Severity.Low;
  return Severity.Informational;
}

function messageOf(facts: KernelEventFacts, outcome: string): string {
  const what = facts.capabilityId !== undefined ? ` of ${facts.capabilityId}` : "";
  const who = facts.principalId ? ` by ${facts.principalId}` : "";
  return `${facts.operation}${what}${who} ${outcome}`;
}

function resourcesOf(facts: KernelEventFacts): OcsfResource[] {
  const resources: OcsfResource[] = [];
  const target = { role_id: ResourceRole.Target, role: "Target" };
  const related = { role_id: ResourceRole.Related, role: "Related" };
  if (facts.capabilityId !== undefined) {
    resources.push({
      uid: facts.capabilityId,
      name: facts.capabilityId,
      type: RESOURCE_TYPE_CAPABILITY,
      ...(facts.operation === "expand" ? related : target),
    });
  }
  if (facts.handleId) {
    resources.push({
      uid: facts.handleId,
      type: RESOURCE_TYPE_HANDLE,
      ...(facts.operation === "expand" ? target : related),
    });
  }
  if (facts.tokenId && (facts.operation === "grant" || facts.operation === "revoke")) {
    resources.push({ uid: facts.tokenId, type: RESOURCE_TYPE_TOKEN, ...target });
  }
  if (facts.operation === "revoke" && !facts.tokenId && facts.principalId) {
    resources.push({ uid: facts.principalId, type: RESOURCE_TYPE_PRINCIPAL, ...target });
  }
  return resources;
}

function compact(record: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record))
    if (value !== undefined && value !== null) out[key] = value;
  return out;
}

/** Builds the OCSF 1.8.0 API Activity event. Pure: same input, same output. */
export function buildApiActivity(
  facts: KernelEventFacts,
  options: OcsfMappingOptions,
  trace?: TraceFacts,
): OcsfApiActivity {
  const activity = activityOf(facts);
  const severity = severityOf(facts);
  const failed = facts.denied || facts.error !== undefined;
  const status = failed ? Status.Failure : Status.Success;
  const outcome = facts.denied
    ? `denied${facts.reasonCode ? ` (${facts.reasonCode})` : ""}`
    : failed
      ? "failed"
      : "succeeded";
  const kernelId = facts.kernelId ?? options.kernelId;
  const serviceName = options.serviceName ?? DEFAULT_SERVICE_NAME;

  let ocsfTrace: OcsfTrace | undefined;
  const unmappedSpan: Record<string, unknown> = {};
  if (trace !== undefined) {
    ocsfTrace = { uid: trace.traceId };
    if (trace.spanId !== undefined && trace.startTimeMs !== undefined && trace.endTimeMs !== undefined) {
      ocsfTrace.span = {
        uid: trace.spanId,
        start_time: trace.startTimeMs,
        end_time: trace.endTimeMs,
        duration: trace.endTimeMs - trace.startTimeMs,
        ...(trace.parentSpanId !== undefined ? { parent_uid: trace.parentSpanId } : {}),
        ...(trace.spanName !== undefined ? { operation: trace.spanName } : {}),
        ...(trace.spanStatus !== undefined ? { status_code: trace.spanStatus } : {}),
      };
    } else {
      // OCSF's span object requires start and end times; without them keep the ids unmapped.
      unmappedSpan.span_id = trace.spanId;
      unmappedSpan.parent_span_id = trace.parentSpanId;
    }
  }

  const metadata: OcsfMetadata = {
    version: OCSF_VERSION,
    product: {
      name: PRODUCT_NAME,
      vendor_name: VENDOR_NAME,
      version: options.productVersion ?? WEFT_VERSION,
    },
    uid: facts.uid,
    log_name: options.logName ?? DEFAULT_LOG_NAME,
    event_code: facts.denied ? "deny" : facts.operation,
  };
  if (facts.originalTime !== undefined) metadata.original_time = facts.originalTime;
  if (trace !== undefined) metadata.correlation_uid = trace.traceId;
  if (options.tenantUid !== undefined) metadata.tenant_uid = options.tenantUid;
  if (ocsfTrace !== undefined) metadata.profiles = [PROFILE_TRACE];

  const event: OcsfApiActivity = {
    activity_id: activity.id,
    activity_name: activity.name,
    category_uid: CATEGORY_UID,
    category_name: CATEGORY_NAME,
    class_uid: CLASS_UID,
    class_name: CLASS_NAME,
    type_uid: typeUid(activity.id),
    // type_name names the type_uid (OCSF caption); activity_name may carry the source-specific value.
    type_name: `${CLASS_NAME}: ${activity.id === Activity.Other.id ? Activity.Other.name : activity.name}`,
    severity_id: severity.id,
    severity: severity.name,
    status_id: status.id,
    status: status.name,
    message: messageOf(facts, outcome),
    time: facts.timeMs,
    timezone_offset: 0,
    metadata,
    actor: {
      ...(facts.principalId ? { user: { uid: facts.principalId } } : { app_name: serviceName }),
      authorizations: [
        {
          decision: facts.denied ? "deny" : "allow",
          policy: {
            name: POLICY_NAME,
            type: POLICY_TYPE,
            ...(facts.reasonCode ? { uid: facts.reasonCode } : {}),
            is_applied: true,
          },
        },
      ],
    },
    api: {
      operation: facts.capabilityId ?? facts.operation,
      service: { name: facts.driverId || kernelId || serviceName },
      request: { uid: facts.uid },
    },
    src_endpoint: {
      svc_name: serviceName,
      ...(options.hostname !== undefined ? { hostname: options.hostname } : {}),
      ...(kernelId !== undefined ? { uid: kernelId } : {}),
    },
    resources: resourcesOf(facts),
    unmapped: compact({
      action_id: facts.actionId,
      kernel_id: kernelId,
      token_id: facts.tokenId || undefined,
      reason_code: facts.reasonCode,
      safety_class: facts.safetyClass,
      sensitivity: facts.sensitivity,
      response_mode: facts.responseMode,
      ...facts.extras,
      ...unmappedSpan,
    }),
  };
  if (facts.reasonCode) event.status_code = facts.reasonCode;
  if (facts.error !== undefined) event.status_detail = facts.error;
  if (failed) {
    event.api.response = {
      error: facts.reasonCode || (facts.denied ? "denied" : "failed"),
      ...(facts.error !== undefined ? { error_message: facts.error } : {}),
    };
  }
  if (ocsfTrace !== undefined) {
    event.trace = ocsfTrace;
    if (ocsfTrace.span !== undefined) {
      event.start_time = ocsfTrace.span.start_time;
      event.end_time = ocsfTrace.span.end_time;
      event.duration = ocsfTrace.span.duration;
    }
  }
  return event;
}
