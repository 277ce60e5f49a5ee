// Query semantics shared by every backend (weaver-kernel `TraceQuery`): AND-combined filters,
// inclusive `since`, exclusive `until`, order (invoked_at, action_id), then offset/limit — so
// pages are disjoint and complete. SQLite turns a NormalizedTraceQuery into indexed SQL; the
// scanning backends use `matchesTraceQuery` + `compareActions`.

import {
  type ActionTrace,
  compareActions,
  matchesTraceQuery as matchesKernelQuery,
  normalizeTraceQuery as normalizeKernelQuery,
  pageOf,
} from "@weft/kernel";
import { time } from "@weft/wire";
import { InvalidArgumentError } from "./errors.js";
import type { ActionDecision, ActionOrder, ActionRecordQuery, SpanQuery } from "./types.js";

export interface NormalizedTraceQuery {
  principalId?: string;
  capabilityId?: string;
  eventType?: string;
  outcome?: "succeeded" | "failed";
  reasonCode?: string;
  agentName?: string;
  /** UTC isoformat strings: compare as text. */
  since?: string;
  until?: string;
  traceId?: string;
  decision?: ActionDecision;
  /** Keyset bounds on seq (exclusive), for paging a live chain without offsets. */
  afterSeq?: number;
  beforeSeq?: number;
  order: ActionOrder;
  limit: number | null;
  offset: number;
}

export const ACTION_DECISIONS = ["allow", "deny", "error"] as const;
export const ACTION_ORDERS = ["time", "seq", "seq-desc"] as const;

function count(v: number | undefined, what: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Number.isSafeInteger(v) || v < 0)
    throw new InvalidArgumentError(`${what} must be a non-negative integer`);
  return v;
}

export function normalizeTraceQuery(q: ActionRecordQuery): NormalizedTraceQuery {
  if (q.outcome !== undefined && q.outcome !== "succeeded" && q.outcome !== "failed") {
    throw new InvalidArgumentError(`outcome must be "succeeded" or "failed"`);
  }
  if (q.decision !== undefined && !(ACTION_DECISIONS as readonly string[]).includes(q.decision)) {
    throw new InvalidArgumentError(`decision must be one of ${ACTION_DECISIONS.join("|")}`);
  }
  if (q.order !== undefined && !(ACTION_ORDERS as readonly string[]).includes(q.order)) {
    throw new InvalidArgumentError(`order must be one of ${ACTION_ORDERS.join("|")}`);
  }
  // The shared fields (filters, the since/until grammar, limit/offset) are the kernel's one
  // normalization, so every TraceStore accepts and rejects the same queries; the store adds its own.
  const out: NormalizedTraceQuery = { ...normalizeKernelQuery(q), order: q.order ?? "time" };
  const afterSeq = count(q.afterSeq, "afterSeq");
  const beforeSeq = count(q.beforeSeq, "beforeSeq");
  if (afterSeq !== undefined) out.afterSeq = afterSeq;
  if (beforeSeq !== undefined) out.beforeSeq = beforeSeq;
  if (q.decision !== undefined) out.decision = q.decision;
  if (q.traceId !== undefined) out.traceId = q.traceId;
  return out;
}

export function matchesTraceQuery(t: ActionTrace, q: NormalizedTraceQuery): boolean {
  if (!matchesKernelQuery(t, q)) return false;
  if (q.decision !== undefined && decisionOf(t) !== q.decision) return false;
  return true;
}

/** allow / deny / error: what the kernel decided and whether an allowed action then failed. */
export function decisionOf(t: ActionTrace): ActionDecision {
  if (t.eventType === "deny") return "deny";
  return t.error === null ? "allow" : "error";
}

/** Keyset bounds and record order for the scanning backends (SQLite does this in SQL). */
export function matchesSeqBounds(seq: number, q: NormalizedTraceQuery): boolean {
  if (q.afterSeq !== undefined && seq <= q.afterSeq) return false;
  if (q.beforeSeq !== undefined && seq >= q.beforeSeq) return false;
  return true;
}

export { compareActions };

export const page = pageOf;

/** A UTC isoformat bound (the stored action layout) of a Date or timestamp; InvalidArgumentError when malformed. */
export function utcIsoBound(input: Date | string, what: string): string {
  const iso = time.toUtcIsoformat(input);
  if (iso === null) throw new InvalidArgumentError(`${what} is not an ISO-8601 timestamp: ${shown(input)}`);
  return iso;
}

/** Epoch nanoseconds of a Date, a timestamp or a decimal nanosecond count; InvalidArgumentError when malformed. */
export function nanosBound(input: Date | string, what: string): bigint {
  if (typeof input === "string" && /^\d{1,19}$/.test(input)) return BigInt(input);
  const ns = time.toEpochNanos(input);
  if (ns === null) throw new InvalidArgumentError(`${what} is not an ISO-8601 timestamp: ${shown(input)}`);
  return ns;
}

function shown(input: unknown): string {
  return input instanceof Date ? "an invalid Date" : JSON.stringify(String(input).slice(0, 64));
}

export interface NormalizedSpanQuery {
  traceId?: string;
  spanId?: string;
  actionId?: string;
  principalId?: string;
  name?: string;
  since?: bigint;
  until?: bigint;
  limit: number | null;
  offset: number;
}

export function normalizeSpanQuery(q: SpanQuery): NormalizedSpanQuery {
  const out: NormalizedSpanQuery = {
    limit: count(q.limit, "limit") ?? null,
    offset: count(q.offset, "offset") ?? 0,
  };
  if (q.traceId !== undefined) out.traceId = q.traceId;
  if (q.spanId !== undefined) out.spanId = q.spanId;
  if (q.actionId !== undefined) out.actionId = q.actionId;
  if (q.principalId !== undefined) out.principalId = q.principalId;
  if (q.name !== undefined) out.name = q.name;
  if (q.since !== undefined) out.since = nanosBound(q.since, "since");
  if (q.until !== undefined) out.until = nanosBound(q.until, "until");
  return out;
}
