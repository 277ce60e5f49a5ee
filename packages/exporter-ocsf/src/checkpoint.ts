// Copies of a store's signed checkpoints that leave the host: an OCSF 1.8.0 API Activity event
// and an OpenTelemetry log record per checkpoint, taken from the store's diagnostics channel so
// the store itself never depends on OTel or OCSF.
//
// Why API Activity (6003): publishing a checkpoint is the store's API creating a new, immutable
// resource (the signed tree head), which is exactly a Create in 6003's CRUD activities. It also
// keeps every Weft event in one class that a SIEM already parses and that the committed schema
// validates. (Event Log Activity, 1008, describes operations on a log such as clear/rotate, not
// the log attesting to its own contents.)

import { channel } from "node:diagnostics_channel";
import type { LoggerProvider } from "@opentelemetry/api";
import {
  ATTR_WEFT_CHAIN,
  ATTR_WEFT_CHECKPOINT_KEY_NAME,
  ATTR_WEFT_CHECKPOINT_NOTE,
  ATTR_WEFT_CHECKPOINT_ORIGIN,
  ATTR_WEFT_CHECKPOINT_ROOT,
  ATTR_WEFT_CHECKPOINT_SIZE,
  CHANNEL_WEFT_STORE_CHECKPOINT,
  EVENT_WEFT_CHECKPOINT_PUBLISHED,
} from "@weft/semconv";
import { OcsfMappingError } from "./errors.js";
import type { OcsfApiActivity } from "./event.js";
import type { OcsfMappingOptions } from "./facts.js";
import {
  Activity,
  CATEGORY_NAME,
  CATEGORY_UID,
  CLASS_NAME,
  CLASS_UID,
  OCSF_VERSION,
  ResourceRole,
  Severity,
  Status,
  typeUid,
} from "./ocsf.js";
import { isoToEpochMillis } from "./time.js";
import { PRODUCT_NAME, VENDOR_NAME, WEFT_VERSION } from "./version.js";
import {
  DEFAULT_LOG_NAME,
  DEFAULT_SERVICE_NAME,
  OPERATION_CHECKPOINT_PUBLISH,
  POLICY_NAME,
  POLICY_TYPE,
  RESOURCE_TYPE_CHECKPOINT,
  RESOURCE_TYPE_TRANSPARENCY_LOG,
  SERVICE_CHAINED_STORE,
} from "./vocabulary.js";

/**
 * A published checkpoint, structurally the `CheckpointEvent` of @weft/chained-store (restated
 * here so this package does not depend on the store).
 */
export interface CheckpointFacts {
  chain: string;
  origin: string;
  size: number;
  rootBase64: string;
  /** The signed note (public: it holds no secret). */
  note: string;
  keyName: string;
  createdAt: string;
}

function checkedFacts(cp: CheckpointFacts): { timeMs: number } {
  const bad = (what: string) => new OcsfMappingError(`checkpoint ${what}`);
  if (typeof cp !== "object" || cp === null) throw bad("is not an object");
  for (const key of ["chain", "origin", "rootBase64", "note", "keyName", "createdAt"] as const) {
    if (typeof cp[key] !== "string" || cp[key] === "") throw bad(`${key} is not a non-empty string`);
  }
  if (!Number.isSafeInteger(cp.size) || cp.size < 0) throw bad("size is not a non-negative integer");
  try {
    return { timeMs: isoToEpochMillis(cp.createdAt) };
  } catch {
    throw bad(`createdAt is not an ISO-8601 timestamp: ${JSON.stringify(cp.createdAt.slice(0, 64))}`);
  }
}

/**
 * Maps one published checkpoint to an OCSF 1.8.0 API Activity event: activity Create of a
 * `weft.checkpoint` resource (uid `<origin>/<size>`) in the `weft.transparency_log` named by the
 * origin; the root, size, key name and signed note go to `unmapped`. Pure: same input, same output.
 */
export function checkpointToOcsf(cp: CheckpointFacts, options: OcsfMappingOptions = {}): OcsfApiActivity {
  const { timeMs } = checkedFacts(cp);
  const uid = `${cp.origin}/${cp.size}`;
  const serviceName = options.serviceName ?? DEFAULT_SERVICE_NAME;
  return {
    activity_id: Activity.Create.id,
    activity_name: Activity.Create.name,
    category_uid: CATEGORY_UID,
    category_name: CATEGORY_NAME,
    class_uid: CLASS_UID,
    class_name: CLASS_NAME,
    type_uid: typeUid(Activity.Create.id),
    type_name: `${CLASS_NAME}: ${Activity.Create.name}`,
    severity_id: Severity.Informational.id,
    severity: Severity.Informational.name,
    status_id: Status.Success.id,
    status: Status.Success.name,
    message: `checkpoint of ${cp.origin} at size ${cp.size} published`,
    time: timeMs,
    timezone_offset: 0,
    metadata: {
      version: OCSF_VERSION,
      product: {
        name: PRODUCT_NAME,
        vendor_name: VENDOR_NAME,
        version: options.productVersion ?? WEFT_VERSION,
      },
      uid,
      log_name: options.logName ?? DEFAULT_LOG_NAME,
      event_code: OPERATION_CHECKPOINT_PUBLISH,
      original_time: cp.createdAt,
      ...(options.tenantUid !== undefined ? { tenant_uid: options.tenantUid } : {}),
    },
    // The store signs on its own authority: the policy recorded is the store's signing key.
    actor: {
      app_name: serviceName,
      authorizations: [
        {
          decision: "allow",
          policy: { name: POLICY_NAME, type: POLICY_TYPE, uid: cp.keyName, is_applied: true },
        },
      ],
    },
    api: {
      operation: OPERATION_CHECKPOINT_PUBLISH,
      service: { name: SERVICE_CHAINED_STORE },
      request: { uid },
    },
    src_endpoint: {
      svc_name: serviceName,
      ...(options.hostname !== undefined ? { hostname: options.hostname } : {}),
    },
    resources: [
      { uid, name: uid, type: RESOURCE_TYPE_CHECKPOINT, role_id: ResourceRole.Target, role: "Target" },
      {
        uid: cp.origin,
        name: cp.origin,
        type: RESOURCE_TYPE_TRANSPARENCY_LOG,
        role_id: ResourceRole.Related,
        role: "Related",
      },
    ],
    unmapped: {
      chain: cp.chain,
      origin: cp.origin,
      tree_size: cp.size,
      root_hash: cp.rootBase64,
      key_name: cp.keyName,
      note: cp.note,
    },
  };
}

export interface CheckpointCopiesOptions extends OcsfMappingOptions {
  /** Receives the OCSF event of each checkpoint (for example `(e) => sink.write([serializeEvent(e)])`). */
  onOcsfEvent?: (event: OcsfApiActivity) => void;
  /** When set, each checkpoint is also emitted as an OTel log record through this provider. */
  loggerProvider?: LoggerProvider;
  /** Instrumentation scope of the log records. Default `@weft/exporter-ocsf`. */
  loggerName?: string;
  /** Called when a copy could not be made or delivered; never thrown into the store. */
  onError?: (error: unknown, checkpoint: unknown) => void;
}

export interface CheckpointCopiesStats {
  received: number;
  ocsfEvents: number;
  logRecords: number;
  failures: number;
}

export interface CheckpointCopies {
  stats(): CheckpointCopiesStats;
  /** Unsubscribes from the channel. Idempotent. */
  close(): void;
}

// INFO in the OTel logs data model; a literal so this module needs no runtime value from the API.
const SEVERITY_NUMBER_INFO = 9;

/**
 * Subscribes to the store's `weft:store:checkpoint` diagnostics channel and sends each published
 * checkpoint out as an OCSF event and/or an OTel log record. A failure of a copy is counted and
 * reported to `onError`, never thrown into the publishing store.
 */
export function shipCheckpointCopies(options: CheckpointCopiesOptions): CheckpointCopies {
  const stats: CheckpointCopiesStats = { received: 0, ocsfEvents: 0, logRecords: 0, failures: 0 };
  const logger = options.loggerProvider?.getLogger(options.loggerName ?? "@weft/exporter-ocsf", WEFT_VERSION);
  const fail = (error: unknown, message: unknown) => {
    stats.failures += 1;
    try {
      options.onError?.(error, message);
    } catch {
      // The error hook is the caller's; a throwing hook must not reach the store either.
    }
  };
  const onMessage = (message: unknown) => {
    stats.received += 1;
    let event: OcsfApiActivity;
    try {
      event = checkpointToOcsf(message as CheckpointFacts, options);
    } catch (e) {
      fail(e, message);
      return;
    }
    const cp = message as CheckpointFacts;
    if (options.onOcsfEvent !== undefined) {
      try {
        options.onOcsfEvent(event);
        stats.ocsfEvents += 1;
      } catch (e) {
        fail(e, message);
      }
    }
    if (logger !== undefined) {
      try {
        logger.emit({
          eventName: EVENT_WEFT_CHECKPOINT_PUBLISHED,
          timestamp: event.time,
          severityNumber: SEVERITY_NUMBER_INFO,
          severityText: "INFO",
          body: cp.note,
          attributes: {
            [ATTR_WEFT_CHAIN]: cp.chain,
            [ATTR_WEFT_CHECKPOINT_ORIGIN]: cp.origin,
            [ATTR_WEFT_CHECKPOINT_SIZE]: cp.size,
            [ATTR_WEFT_CHECKPOINT_ROOT]: cp.rootBase64,
            [ATTR_WEFT_CHECKPOINT_KEY_NAME]: cp.keyName,
            [ATTR_WEFT_CHECKPOINT_NOTE]: cp.note,
          },
        });
        stats.logRecords += 1;
      } catch (e) {
        fail(e, message);
      }
    }
  };
  const ch = channel(CHANNEL_WEFT_STORE_CHECKPOINT);
  ch.subscribe(onMessage);
  let open = true;
  return {
    stats: () => ({ ...stats }),
    close: () => {
      if (!open) return;
      open = false;
      ch.unsubscribe(onMessage);
    },
  };
}
