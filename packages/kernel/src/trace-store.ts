// Bounded in-memory TraceStore (the default) and the shared TraceQuery filter, with the
// reference's semantics: AND-combined filters, ordering by (invoked_at, action_id), paging.

import { time } from "@weft/wire";
import { DuplicateActionIdError, InvalidArgumentError, WeftError } from "./errors.js";
import type { ActionTrace, TraceQuery, TraceStore } from "./trace.js";

export const DEFAULT_MAX_TRACES = 10_000;

/**
 * A TraceQuery checked and reduced to what every backend compares: bounds as UTC isoformat text
 * (the stored layout, whose text order is time order), counts as non-negative integers. Every
 * TraceStore implementation (in-memory here, memory/SQLite/JSONL in @weft/chained-store) goes
 * through this one function, so they accept and reject exactly the same queries.
 */
export interface NormalizedTraceQuery {
  principalId?: string;
  capabilityId?: string;
  eventType?: string;
  outcome?: "succeeded" | "failed";
  reasonCode?: string;
  agentName?: string;
  /** UTC isoformat: compare as text. Inclusive. */
  since?: string;
  /** UTC isoformat: compare as text. Exclusive. */
  until?: string;
  limit: number | null;
  offset: number;
}

function count(v: number | undefined | null, what: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Number.isSafeInteger(v) || v < 0)
    throw new InvalidArgumentError(`TraceQuery.${what} must be a non-negative integer, got ${String(v)}.`);
  return v;
}

function bound(v: Date | string, what: string): string {
  const iso = time.toUtcIsoformat(v);
  if (iso === null) {
    const shown = v instanceof Date ? "an invalid Date" : JSON.stringify(String(v).slice(0, 64));
    throw new InvalidArgumentError(`TraceQuery.${what} is not an ISO-8601 timestamp: ${shown}.`);
  }
  return iso;
}

const STRING_FILTERS = ["principalId", "capabilityId", "eventType", "reasonCode", "agentName"] as const;

/** Validates a TraceQuery (typed InvalidArgumentError on any bad field) and normalizes its bounds. */
export function normalizeTraceQuery(q: TraceQuery): NormalizedTraceQuery {
  if (q.outcome !== undefined && q.outcome !== "succeeded" && q.outcome !== "failed") {
    throw new InvalidArgumentError(`TraceQuery.outcome must be "succeeded" or "failed".`);
  }
  const out: NormalizedTraceQuery = {
    limit: count(q.limit, "limit") ?? null,
    offset: count(q.offset, "offset") ?? 0,
  };
  for (const k of STRING_FILTERS) {
    const v = q[k];
    if (v === undefined) continue;
    if (typeof v !== "string") throw new InvalidArgumentError(`TraceQuery.${k} must be a string.`);
    out[k] = v;
  }
  if (q.outcome !== undefined) out.outcome = q.outcome;
  if (q.since !== undefined) out.since = bound(q.since, "since");
  if (q.until !== undefined) out.until = bound(q.until, "until");
  return out;
}

/** True when the trace passes every filter (AND), `since` inclusive, `until` exclusive. */
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
  return true;
}

/** The port's order: (invoked_at, action_id), both as text. */
export function compareActions(a: ActionTrace, b: ActionTrace): number {
  if (a.invokedAt !== b.invokedAt) return a.invokedAt < b.invokedAt ? -1 : 1;
  return a.actionId < b.actionId ? -1 : a.actionId > b.actionId ? 1 : 0;
}

/** The offset/limit window of an ordered result. */
export function pageOf<T>(items: T[], q: { limit: number | null; offset: number }): T[] {
  return items.slice(q.offset, q.limit === null ? undefined : q.offset + q.limit);
}

/**
 * A trace a TraceStore can hold: a non-empty string actionId and an invokedAt in the stored UTC
 * isoformat layout (what the kernel writes; range queries rely on its text order). Throws
 * InvalidArgumentError otherwise, in every implementation alike.
 */
export function checkStorableTrace(t: ActionTrace): void {
  if (typeof t?.actionId !== "string" || t.actionId === "") {
    throw new InvalidArgumentError("ActionTrace.actionId must be a non-empty string");
  }
  if (
    typeof t.invokedAt !== "string" ||
    !time.PY_ISO_UTC.test(t.invokedAt) ||
    time.parseIso(t.invokedAt) === null
  ) {
    throw new InvalidArgumentError(
      `ActionTrace.invokedAt must be UTC in isoformat layout (YYYY-MM-DDTHH:MM:SS[.ffffff]+00:00), got ${JSON.stringify(String(t.invokedAt).slice(0, 64))}`,
    );
  }
}

/** Filters, orders and pages traces (reference `query_traces`). Pure; shared by every backend. */
export function queryTraces(traces: Iterable<ActionTrace>, query: TraceQuery): ActionTrace[] {
  const q = normalizeTraceQuery(query);
  const matched: ActionTrace[] = [];
  for (const t of traces) if (matchesTraceQuery(t, q)) matched.push(t);
  matched.sort(compareActions);
  return pageOf(matched, q);
}

export interface InMemoryTraceStoreOptions {
  /** Oldest traces are evicted beyond this (default 10 000). */
  maxEntries?: number;
}

export class InMemoryTraceStore implements TraceStore {
  readonly #traces = new Map<string, ActionTrace>();
  readonly #max: number;
  // Insertion-order queue of ids for FIFO eviction (deleting a Map's first key repeatedly and
  // re-finding it with keys().next() walks V8's tombstones, which made eviction O(n)).
  #order: string[] = [];
  #head = 0;
  /** Traces dropped by FIFO eviction since construction. */
  evictedCount = 0;

  constructor(options: InMemoryTraceStoreOptions = {}) {
    const max = options.maxEntries ?? DEFAULT_MAX_TRACES;
    if (!(max > 0))
      throw new WeftError("INVALID_ARGUMENT", `TraceStore maxEntries must be positive, got ${max}.`);
    this.#max = max;
  }

  record(trace: ActionTrace): void {
    checkStorableTrace(trace);
    // The durable stores are append-only and refuse a second record of one id; so does this one,
    // so a kernel behaves the same whichever TraceStore it is given.
    if (this.#traces.has(trace.actionId)) throw new DuplicateActionIdError(trace.actionId);
    this.#order.push(trace.actionId);
    this.#traces.set(trace.actionId, trace);
    while (this.#traces.size > this.#max) {
      const oldest = this.#order[this.#head++];
      if (oldest === undefined) break;
      this.#traces.delete(oldest);
      this.evictedCount++;
    }
    if (this.#head > 4096 && this.#head * 2 > this.#order.length) {
      this.#order = this.#order.slice(this.#head);
      this.#head = 0;
    }
  }

  get(actionId: string): ActionTrace | undefined {
    return this.#traces.get(actionId);
  }

  listAll(): ActionTrace[] {
    return [...this.#traces.values()];
  }

  query(query: TraceQuery): ActionTrace[] {
    return queryTraces(this.#traces.values(), query);
  }

  size(): number {
    return this.#traces.size;
  }
}
