// Rule: what a query returns is exactly what verify checked. Backends with indexed columns
// (SQLite's traces.action_id / invoked_at, weft_spans.trace_id / span_id / …) copy those values out
// of the payload on append; nothing stops a hand edit of the column alone, which would hide a
// record from a filtered read while the hash still matches. Verify re-derives every such column
// from the payload it has just authenticated and compares it, type and value.

import { ATTR_ACTION_ID, ATTR_PRINCIPAL_ID } from "./attributes.js";
import type { StoredColumns } from "./log.js";

type Payload = Record<string, unknown>;

function str(v: unknown): string | null {
  return typeof v === "string" ? v : null;
}

function attr(p: Payload, key: string): string | null {
  const attrs = p["attributes"];
  if (typeof attrs !== "object" || attrs === null || Array.isArray(attrs)) return null;
  return Object.hasOwn(attrs, key) ? str((attrs as Payload)[key]) : null;
}

/** Columns of an actions row as derived from its payload. */
export function actionColumnsOf(p: Payload): StoredColumns {
  return { action_id: str(p["action_id"]), invoked_at: str(p["invoked_at"]) };
}

/** Columns of a spans row as derived from its payload (start time as decimal text). */
export function spanColumnsOf(p: Payload): StoredColumns {
  const parent = p["parent_span_id"];
  return {
    trace_id: str(p["trace_id"]),
    span_id: str(p["span_id"]),
    parent_span_id: parent === null || parent === undefined ? null : str(parent),
    name: str(p["name"]),
    start_time_unix_nano: str(p["start_time_unix_nano"]),
    action_id: attr(p, ATTR_ACTION_ID),
    principal_id: attr(p, ATTR_PRINCIPAL_ID),
  };
}

/**
 * Names the first column whose stored value differs from the payload's, or null. A column the
 * payload has no string for must be absent from it too, so a NULL can hide nothing either.
 */
export function columnMismatch(stored: StoredColumns, derived: StoredColumns): string | null {
  for (const key of Object.keys(stored)) {
    const want = derived[key] ?? null;
    const have = stored[key] ?? null;
    if (want === null && have === null) continue;
    if (want === null || have === null || want !== have) return key;
  }
  return null;
}
