// Rule: what a query returns is exactly what verify checked. Backends with indexed columns
// (SQLite's traces.action_id / invoked_at, weft_spans.trace_id / span_id / …) copy those values out
// of the payload on append; nothing stops a hand edit of the column alone, which would hide a
// record from a filtered read while the hash still matches. Verify re-derives every such column
// from the payload it has just authenticated and compares it, type and value.

import { ATTR_GEN_AI_TOOL_CALL_ID, ATTR_WEFT_ACTION_ID, ATTR_WEFT_PRINCIPAL_ID } from "@weft/semconv";
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
export function actionColumnsOf(p: Payload): DerivedColumns {
  return { action_id: str(p["action_id"]), invoked_at: str(p["invoked_at"]) };
}

/** Span attribute that held the action id before `weft.action.id` (stores written by Weft 0.1). */
const LEGACY_ACTION_ID = ATTR_GEN_AI_TOOL_CALL_ID;

/** Acceptable stored values per column: one value, or the alternatives a past writer may have used. */
export type DerivedColumns = Record<string, string | null | ReadonlyArray<string | null>>;

/** Columns of a spans row as derived from its payload (start time as decimal text). */
export function spanColumnsOf(p: Payload): DerivedColumns {
  const parent = p["parent_span_id"];
  const action = attr(p, ATTR_WEFT_ACTION_ID);
  return {
    trace_id: str(p["trace_id"]),
    span_id: str(p["span_id"]),
    parent_span_id: parent === null || parent === undefined ? null : str(parent),
    name: str(p["name"]),
    start_time_unix_nano: str(p["start_time_unix_nano"]),
    // Without weft.action.id, a store written before it indexed the GenAI tool call id.
    action_id: action !== null ? action : [null, attr(p, LEGACY_ACTION_ID)],
    principal_id: attr(p, ATTR_WEFT_PRINCIPAL_ID),
  };
}

/**
 * Names the first column whose stored value differs from the payload's, or null. A column the
 * payload has no string for must be absent from it too, so a NULL can hide nothing either.
 */
export function columnMismatch(stored: StoredColumns, derived: DerivedColumns): string | null {
  for (const key of Object.keys(stored)) {
    const want = derived[key] ?? null;
    const have = stored[key] ?? null;
    const options = Array.isArray(want) ? want : [want];
    if (!options.includes(have)) return key;
  }
  return null;
}
