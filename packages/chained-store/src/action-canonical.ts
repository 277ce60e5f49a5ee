// Canonical JSON of the actions chain payload (the kernel's 16-key trace export dict), specialized
// for its fixed key set: keys are emitted in their sorted order as constant fragments, the free-form
// members (args, result_summary, error, correction) go through the generic writer. Anything off
// the shape falls back to `canonicalize` as a whole, whose bytes this must equal
// (property-tested in test/fast-canonical.test.ts).

import { json } from "@weft/wire";

/** The export dict's keys in the kernel's insertion order (`exportActionTrace`). */
const ACTION_KEYS = [
  "action_id",
  "capability_id",
  "principal_id",
  "token_id",
  "invoked_at",
  "response_mode",
  "driver_id",
  "handle_id",
  "sensitivity",
  "status",
  "event_type",
  "reason_code",
  "error",
  "args",
  "result_summary",
  "correction",
] as const;

type Piece = string | null;

/** Canonical text of a trace export dict; byte-identical to `canonicalize(payload)`. */
export function canonicalActionPayload(payload: unknown): string {
  return fastAction(payload) ?? json.canonicalize(payload);
}

function str(v: unknown): Piece {
  if (typeof v !== "string") return null;
  return json.isPlainAscii(v) ? `"${v}"` : json.quoteString(v);
}

function strOrNull(v: unknown): Piece {
  return v === null ? "null" : str(v);
}

/**
 * Any JSON value through the generic writer; `undefined` (an omitted key there) leaves the fast
 * path, and so does a value it refuses: the whole-payload writer then reports the full path.
 */
function any(v: unknown): Piece {
  if (v === undefined) return null;
  try {
    return json.canonicalize(v);
  } catch {
    return null;
  }
}

/** The fast path alone: canonical text, or null when the dict is off the known shape (tests use this). */
export function fastAction(p: unknown): Piece {
  if (typeof p !== "object" || p === null || Array.isArray(p)) return null;
  const proto = Object.getPrototypeOf(p);
  if (proto !== Object.prototype && proto !== null) return null;
  const own = Object.keys(p);
  if (own.length !== ACTION_KEYS.length) return null;
  for (let i = 0; i < own.length; i++) {
    if (own[i] !== ACTION_KEYS[i] && !Object.hasOwn(p, ACTION_KEYS[i]!)) return null;
  }
  const d = p as Record<string, unknown>;
  // Sorted key order with an early exit, so the generic writer's errors (it throws at the first
  // non-JSON value in this order) are also the errors seen here.
  const actionId = str(d["action_id"]);
  if (actionId === null) return null;
  const args = any(d["args"]);
  if (args === null) return null;
  const capabilityId = str(d["capability_id"]);
  if (capabilityId === null) return null;
  const correction = any(d["correction"]);
  if (correction === null) return null;
  const driverId = str(d["driver_id"]);
  if (driverId === null) return null;
  const error = any(d["error"]);
  if (error === null) return null;
  const eventType = strOrNull(d["event_type"]);
  const handleId = strOrNull(d["handle_id"]);
  const invokedAt = str(d["invoked_at"]);
  const principalId = str(d["principal_id"]);
  const reasonCode = strOrNull(d["reason_code"]);
  const responseMode = str(d["response_mode"]);
  if (
    eventType === null ||
    handleId === null ||
    invokedAt === null ||
    principalId === null ||
    reasonCode === null ||
    responseMode === null
  ) {
    return null;
  }
  const resultSummary = any(d["result_summary"]);
  if (resultSummary === null) return null;
  const sensitivity = strOrNull(d["sensitivity"]);
  const status = strOrNull(d["status"]);
  const tokenId = strOrNull(d["token_id"]);
  if (sensitivity === null || status === null || tokenId === null) return null;
  return (
    `{"action_id":${actionId},"args":${args},"capability_id":${capabilityId},"correction":${correction}` +
    `,"driver_id":${driverId},"error":${error},"event_type":${eventType},"handle_id":${handleId}` +
    `,"invoked_at":${invokedAt},"principal_id":${principalId},"reason_code":${reasonCode}` +
    `,"response_mode":${responseMode},"result_summary":${resultSummary},"sensitivity":${sensitivity}` +
    `,"status":${status},"token_id":${tokenId}}`
  );
}
