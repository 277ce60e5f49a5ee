// weaver-kernel's own OCSF mapping (`ocsf.py`, OCSF 1.3.0), reproduced key for key so users
// migrating from the Python kernel keep byte-identical SIEM events. New integrations should use
// `actionTraceToOcsf` (OCSF 1.8.0); this shape is frozen.
import type { ActionTrace } from "@weft/kernel";
import type { WeaverKernelOcsfEvent } from "./event.js";
import {
  Activity,
  CATEGORY_NAME,
  CATEGORY_UID,
  CLASS_NAME,
  CLASS_UID,
  Severity,
  Status,
  typeUid,
} from "./ocsf.js";
import { pythonTimestampMillis } from "./time.js";

export const WEAVER_KERNEL_OCSF_VERSION = "1.3.0";

/** Maps one trace exactly as weaver-kernel's `trace_to_ocsf` does (args are never read). */
export function weaverKernelOcsf(trace: ActionTrace): WeaverKernelOcsfEvent {
  const activity = trace.eventType === "expand" ? Activity.Read : Activity.Other;
  const severity = trace.eventType === "deny" ? Severity.Medium : Severity.Informational;
  const status = trace.error !== null ? Status.Failure : Status.Success;
  return {
    activity_id: activity.id,
    activity_name: activity.name,
    category_uid: CATEGORY_UID,
    category_name: CATEGORY_NAME,
    class_uid: CLASS_UID,
    class_name: CLASS_NAME,
    type_uid: typeUid(activity.id),
    severity_id: severity.id,
    severity: severity.name,
    status_id: status.id,
    status: status.name,
    status_detail: trace.error,
    time: pythonTimestampMillis(trace.invokedAt),
    metadata: {
      version: WEAVER_KERNEL_OCSF_VERSION,
      product: { name: "weaver-kernel", vendor_name: "Weaver" },
      extensions: [{ name: "aos", uid: "aos", version: "draft" }],
    },
    actor: { user: { uid: trace.principalId } },
    api: { operation: trace.capabilityId, service: { name: trace.driverId || "weaver-kernel" } },
    unmapped: {
      action_id: trace.actionId,
      token_id: trace.tokenId,
      event_type: trace.eventType,
      response_mode: trace.responseMode,
      sensitivity: trace.sensitivity,
      reason_code: trace.reasonCode,
      handle_id: trace.handleId,
      result_summary: trace.resultSummary === null ? null : { ...trace.resultSummary },
    },
  };
}

/** `traces_to_ocsf`: maps in order. */
export function weaverKernelOcsfAll(traces: Iterable<ActionTrace>): WeaverKernelOcsfEvent[] {
  return Array.from(traces, weaverKernelOcsf);
}
