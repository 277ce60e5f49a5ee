// Query semantics shared by every backend (weaver-kernel `TraceQuery`): AND-combined filters,
// inclusive `since`, exclusive `until`, order (invoked_at, action_id), then offset/limit — so
// pages are disjoint and complete. SQLite turns a NormalizedTraceQuery into indexed SQL; the
// scanning backends use `matchesTraceQuery` + `compareActions`.

import type { ActionTrace } from "@weft/kernel";
import { InvalidArgumentError } from "./errors.js";
import { toEpochNanos, toPythonIsoUtc } from "./time.js";
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
  if (!Number.isInteger(v) || v < 0) throw new InvalidArgumentError(`${what} must be a non-negative integer`);
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
  const out: NormalizedTraceQuery = {
    order: q.order ?? "time",
    limit: count(q.limit, "limit") ?? null,
    offset: count(q.offset, "offset") ?? 0,
  };
  const afterSeq = count(q.afterSeq, "afterSeq");
  const beforeSeq = count(q.beforeSeq, "beforeSeq");
  if (afterSeq !== undefined) out.afterSeq = afterSeq;
  if (beforeSeq !== undefined) out.beforeSeq = beforeSeq;
  if (q.decision !== undefined) out.decision = q.decision;
  if (q.principalId !== undefined) out.principalId = q.principalId;
  if (q.capabilityId !== undefined) out.capabilityId = q.capabilityId;
  if (q.eventType !== undefined) out.eventType = q.eventType;
  if (q.outcome !== undefined) out.outcome = q.outcome;
  if (q.reasonCode !== undefined) out.reasonCode = q.reasonCode;
  if (q.agentName !== undefined) out.agentName = q.agentName;
  if (q.since !== undefined) out.since = toPythonIsoUtc(q.since, "since");
  if (q.until !== undefined) out.until = toPythonIsoUtc(q.until, "until");
  if (q.traceId !== undefined) out.traceId = q.traceId;
  return out;
}

export function matchesTraceQuery(t: ActionTrace, q: NormalizedTraceQuery): boolean {
  if (q.principalId !== undefined && t.principalId !== q.principalId) return false;
  if (q.capabilityId !== undefined && t.capabilityId !== q.capabilityId) return false;
  if (q.eventType !== undefined && t.eventType !== q.eventType) return false;
  if (q.reasonCode !== undefined && t.reasonCode !== q.reasonCode) return false;
  if (q.agentName !== undefined && t.agentName !== q.agentName) return false;
  if (q.outcome !== undefined && (t.error === null ? "succeeded" : "failed") !== q.outcome) return false;
  // Stored stamps are UTC isoformat, whose text order is time order ('+' sorts before '.').
  if (q.since !== undefined && t.invokedAt < q.since) return false;
  if (q.until !== undefined && t.invokedAt >= q.until) return false;
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

export function compareActions(a: ActionTrace, b: ActionTrace): number {
  if (a.invokedAt !== b.invokedAt) return a.invokedAt < b.invokedAt ? -1 : 1;
  return a.actionId < b.actionId ? -1 : a.actionId > b.actionId ? 1 : 0;
}

export function page<T>(items: T[], q: { limit: number | null; offset: number }): T[] {
  return items.slice(q.offset, q.limit === null ? undefined : q.offset + q.limit);
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
  if (q.since !== undefined) out.since = toEpochNanos(q.since, "since");
  if (q.until !== undefined) out.until = toEpochNanos(q.until, "until");
  return out;
}
