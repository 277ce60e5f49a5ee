// Query semantics shared by every backend (weaver-kernel `TraceQuery`): AND-combined filters,
// inclusive `since`, exclusive `until`, order (invoked_at, action_id), then offset/limit — so
// pages are disjoint and complete. SQLite turns a NormalizedTraceQuery into indexed SQL; the
// scanning backends use `matchesTraceQuery` + `compareActions`.

import {
  compareActions,
  type NormalizedTraceQuery as KernelNormalizedQuery,
  matchesTraceQuery,
  normalizeTraceQuery as normalizeKernelQuery,
  pageOf,
  type TraceQuery,
} from "@weft/kernel";
import { time } from "@weft/wire";
import { InvalidArgumentError } from "./errors.js";
import type { SpanQuery } from "./types.js";

export { compareActions, matchesTraceQuery };

/** The kernel's normalized query plus the store's own filter (actions of one OTel trace). */
export interface NormalizedTraceQuery extends KernelNormalizedQuery {
  traceId?: string;
}

/** The kernel's TraceQuery normalization (one for every TraceStore), with the store's trace filter. */
export function normalizeTraceQuery(q: TraceQuery & { traceId?: string }): NormalizedTraceQuery {
  const out: NormalizedTraceQuery = normalizeKernelQuery(q);
  if (q.traceId !== undefined) out.traceId = q.traceId;
  return out;
}

export const page = pageOf;

function count(v: number | undefined, what: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Number.isSafeInteger(v) || v < 0)
    throw new InvalidArgumentError(`${what} must be a non-negative integer`);
  return v;
}

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
