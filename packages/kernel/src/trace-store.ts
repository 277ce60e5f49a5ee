// Bounded in-memory TraceStore (the default) and the shared TraceQuery filter, with the
// reference's semantics: AND-combined filters, ordering by (invoked_at, action_id), paging.

import { InvalidArgumentError, WeftError } from "./errors.js";
import { toEpochMicros } from "./isoformat.js";
import type { ActionTrace, TraceQuery, TraceStore } from "./trace.js";

export const DEFAULT_MAX_TRACES = 10_000;

/** Filters, orders and pages traces (reference `query_traces`). Pure; shared by every backend. */
export function queryTraces(traces: Iterable<ActionTrace>, query: TraceQuery): ActionTrace[] {
  const offset = query.offset ?? 0;
  if (!(offset >= 0)) throw new InvalidArgumentError(`TraceQuery.offset must be >= 0, got ${offset}.`);
  if (query.limit !== undefined && !(query.limit >= 0))
    throw new InvalidArgumentError(`TraceQuery.limit must be >= 0 or undefined, got ${query.limit}.`);
  const since = query.since === undefined ? undefined : toEpochMicros(query.since);
  const until = query.until === undefined ? undefined : toEpochMicros(query.until);
  const matched: Array<{ t: ActionTrace; at: number }> = [];
  for (const t of traces) {
    if (query.principalId !== undefined && t.principalId !== query.principalId) continue;
    if (query.capabilityId !== undefined && t.capabilityId !== query.capabilityId) continue;
    if (query.eventType !== undefined && t.eventType !== query.eventType) continue;
    if (query.reasonCode !== undefined && t.reasonCode !== query.reasonCode) continue;
    if (query.agentName !== undefined && t.agentName !== query.agentName) continue;
    if (query.outcome !== undefined && (t.error !== null ? "failed" : "succeeded") !== query.outcome)
      continue;
    const at = toEpochMicros(t.invokedAt);
    if (since !== undefined && at < since) continue;
    if (until !== undefined && at >= until) continue;
    matched.push({ t, at });
  }
  matched.sort(
    (a, b) => a.at - b.at || (a.t.actionId < b.t.actionId ? -1 : a.t.actionId > b.t.actionId ? 1 : 0),
  );
  const end = query.limit === undefined ? undefined : offset + query.limit;
  return matched.slice(offset, end).map((m) => m.t);
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
    // Re-recording an id overwrites in place, like the reference's dict store.
    if (!this.#traces.has(trace.actionId)) this.#order.push(trace.actionId);
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
