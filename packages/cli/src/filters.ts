// The list/export/stats filters, validated once at the boundary and turned into the store's
// TraceQuery (actions) and SpanQuery (spans). Time bounds accept ISO-8601 (naive = UTC, like the
// reference) or a relative age such as `15m`, `2h`, `7d` ("that long before now").
import type { SpanQuery } from "@weft/chained-store";
import type { TraceEventType, TraceQuery } from "@weft/kernel";
import { time } from "@weft/wire";
import { nonNegativeInt, oneOf, type Parsed, str } from "./args.js";
import { UsageError } from "./errors.js";

export const EVENTS = ["invoke", "expand", "deny"] as const satisfies readonly TraceEventType[];
export const STATUSES = ["succeeded", "failed"] as const;

export interface Instant {
  /** UTC in Python isoformat layout (`+00:00`, micros only when non-zero) — the stored layout. */
  iso: string;
  /** Nanoseconds since the epoch (span timestamps). */
  nanos: bigint;
}

const RELATIVE = /^(\d+)(s|m|h|d|w)$/;
const UNIT_MS: Record<string, number> = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 7 * 86400e3 };

export function parseInstant(
  command: string,
  flag: string,
  text: string,
  now: () => number = Date.now,
): Instant {
  const rel = RELATIVE.exec(text);
  if (rel) {
    const ms = now() - Number(rel[1]) * (UNIT_MS[rel[2] ?? "s"] ?? 0);
    return fromNanos(BigInt(ms) * 1_000_000n);
  }
  // The one timestamp grammar (@weft/wire): impossible dates such as 2026-02-31 are refused too.
  const parsed = time.parseIso(text.trim());
  if (parsed === null && /^\d{4}-\d{2}-\d{2}(?:$|[Tt ])/.test(text.trim())) {
    throw new UsageError(`--${flag} is not a valid date/time: '${text}'`, command);
  }
  if (parsed === null) {
    throw new UsageError(
      `--${flag} must be an ISO-8601 time (e.g. 2026-03-01T12:00:00Z; naive = UTC) or an age like 15m, got '${text}'`,
      command,
    );
  }
  return fromNanos(parsed.epochNanos);
}

export function fromNanos(nanos: bigint): Instant {
  const ms = Number(nanos / 1_000_000n);
  const micros = Number((nanos % 1_000_000_000n) / 1000n);
  const base = new Date(ms).toISOString().slice(0, 19);
  const frac = micros === 0 ? "" : `.${micros.toString().padStart(6, "0")}`;
  return { iso: `${base}${frac}+00:00`, nanos };
}

export interface Filters {
  query: TraceQuery & { traceId?: string };
  spanQuery: SpanQuery;
  since?: Instant;
  until?: Instant;
  /** True when any filter other than limit/offset is set. */
  narrowed: boolean;
  /** Filters that only apply to action records (rejected for span-only output). */
  actionOnly: string[];
}

export function parseTraceId(command: string, text: string): string {
  const id = text.toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(id)) {
    throw new UsageError(`a trace id is 32 hex characters, got '${text}'`, command);
  }
  return id;
}

export function parseFilters(command: string, p: Parsed): Filters {
  const query: TraceQuery & { traceId?: string } = {};
  const spanQuery: SpanQuery = {};
  const actionOnly: string[] = [];
  const principal = str(p, "principal");
  if (principal !== undefined) {
    query.principalId = principal;
    spanQuery.principalId = principal;
  }
  const capability = str(p, "capability");
  if (capability !== undefined) {
    query.capabilityId = capability;
    actionOnly.push("--capability");
  }
  const event = oneOf(command, "event", str(p, "event"), EVENTS);
  if (event !== undefined) {
    query.eventType = event;
    actionOnly.push("--event");
  }
  const status = oneOf(command, "status", str(p, "status"), STATUSES);
  if (status !== undefined) {
    query.outcome = status;
    actionOnly.push("--status");
  }
  const reason = str(p, "reason");
  if (reason !== undefined) {
    query.reasonCode = reason;
    actionOnly.push("--reason");
  }
  const agent = str(p, "agent");
  if (agent !== undefined) {
    query.agentName = agent;
    actionOnly.push("--agent");
  }
  const traceId = str(p, "trace-id");
  if (traceId !== undefined) {
    const id = parseTraceId(command, traceId);
    query.traceId = id;
    spanQuery.traceId = id;
  }
  const sinceText = str(p, "since");
  const untilText = str(p, "until");
  const since = sinceText === undefined ? undefined : parseInstant(command, "since", sinceText);
  const until = untilText === undefined ? undefined : parseInstant(command, "until", untilText);
  if (since) {
    query.since = since.iso;
    spanQuery.since = since.nanos.toString();
  }
  if (until) {
    query.until = until.iso;
    spanQuery.until = until.nanos.toString();
  }
  const narrowed = Object.keys(query).length > 0;
  const limit = nonNegativeInt(command, "limit", str(p, "limit"));
  const offset = nonNegativeInt(command, "offset", str(p, "offset"));
  if (limit !== undefined) {
    query.limit = limit;
    spanQuery.limit = limit;
  }
  if (offset !== undefined) {
    query.offset = offset;
    spanQuery.offset = offset;
  }
  const result: Filters = { query, spanQuery, narrowed, actionOnly };
  if (since) result.since = since;
  if (until) result.until = until;
  return result;
}
