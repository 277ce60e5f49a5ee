// The list/export/stats filters, validated once at the boundary and turned into the store's
// TraceQuery (actions) and SpanQuery (spans). Time bounds accept ISO-8601 (naive = UTC, like the
// reference) or a relative age such as `15m`, `2h`, `7d` ("that long before now").
import type { ActionDecision, ActionOrder, ActionRecordQuery, SpanQuery } from "@weft/chained-store";
import type { TraceEventType } from "@weft/kernel";
import { nonNegativeInt, oneOf, type Parsed, str } from "./args.js";
import { UsageError } from "./errors.js";

export const EVENTS = ["invoke", "expand", "deny"] as const satisfies readonly TraceEventType[];
export const STATUSES = ["succeeded", "failed"] as const;
export const DECISIONS = ["allow", "deny", "error"] as const satisfies readonly ActionDecision[];
export const ORDERS = ["time", "seq", "seq-desc"] as const satisfies readonly ActionOrder[];

export interface Instant {
  /** UTC in Python isoformat layout (`+00:00`, micros only when non-zero) — the stored layout. */
  iso: string;
  /** Nanoseconds since the epoch (span timestamps). */
  nanos: bigint;
}

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;
const RELATIVE = /^(\d+)(s|m|h|d|w)$/;
const UNIT_MS: Record<string, number> = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 7 * 86400e3 };
/** 0001-01-01T00:00:00Z, the earliest instant Python's isoformat (the stored layout) can express. */
const MIN_MS = -62135596800000;
/** 9999-12-31T23:59:59.999Z: later has no four-digit year. */
const MAX_MS = 253402300799999;

function daysInMonth(year: number, month: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month, 0); // day 0 of the next month = last day of this one
  return d.getUTCDate();
}

export function parseInstant(
  command: string,
  flag: string,
  text: string,
  now: () => number = Date.now,
): Instant {
  const rel = RELATIVE.exec(text);
  if (rel) {
    const ms = now() - Number(rel[1]) * (UNIT_MS[rel[2] ?? "s"] ?? 0);
    // An age reaching before year 1 is out of range: refused, not wrapped into a bogus date.
    if (!Number.isSafeInteger(ms) || ms < MIN_MS || ms > MAX_MS) {
      throw new UsageError(`--${flag} age '${text}' reaches before year 1`, command);
    }
    return fromNanos(BigInt(ms) * 1_000_000n);
  }
  const m = ISO.exec(text.trim());
  if (!m) {
    throw new UsageError(
      `--${flag} must be an ISO-8601 time (e.g. 2026-03-01T12:00:00Z; naive = UTC) or an age like 15m, got '${text}'`,
      command,
    );
  }
  const [, y, mo, d, h = "0", mi = "0", s = "0", frac = "", tz = "Z"] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  // Impossible dates (2026-02-31, 2026-04-31, 2025-02-29) are refused, never rolled over.
  const monthDays = month >= 1 && month <= 12 ? daysInMonth(year, month) : 0;
  const invalid = (): UsageError => new UsageError(`--${flag} is not a valid date/time: '${text}'`, command);
  if (year < 1 || day < 1 || day > monthDays || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) {
    throw invalid();
  }
  let offsetMin = 0;
  if (tz !== "Z" && tz !== "z") {
    const sign = tz.startsWith("-") ? -1 : 1;
    const digits = tz.slice(1).replace(":", "");
    const oh = Number(digits.slice(0, 2));
    const om = Number(digits.slice(2, 4) || "0");
    if (oh > 23 || om > 59) throw invalid();
    offsetMin = sign * (oh * 60 + om);
  }
  const date = new Date(0);
  // setUTCFullYear: Date.UTC would map years 0-99 to 1900-1999.
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(Number(h), Number(mi), Number(s), 0);
  const ms = date.getTime() - offsetMin * 60_000;
  if (Number.isNaN(ms) || ms < MIN_MS || ms > MAX_MS) throw invalid();
  const subNanos = BigInt(frac.padEnd(9, "0") || "0");
  return fromNanos(BigInt(ms) * 1_000_000n + subNanos);
}

export function fromNanos(nanos: bigint): Instant {
  // Floor division, so instants before 1970 keep a non-negative fraction.
  const rem = ((nanos % 1_000_000_000n) + 1_000_000_000n) % 1_000_000_000n;
  const ms = Number((nanos - rem) / 1_000_000n);
  const micros = Number(rem / 1000n);
  const base = new Date(ms).toISOString().slice(0, 19);
  const frac = micros === 0 ? "" : `.${micros.toString().padStart(6, "0")}`;
  return { iso: `${base}${frac}+00:00`, nanos };
}

export interface Filters {
  query: ActionRecordQuery;
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
  const query: ActionRecordQuery = {};
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
  const decision = oneOf(command, "decision", str(p, "decision"), DECISIONS);
  if (decision !== undefined) {
    query.decision = decision;
    actionOnly.push("--decision");
  }
  const afterSeq = nonNegativeInt(command, "after-seq", str(p, "after-seq"));
  if (afterSeq !== undefined) {
    query.afterSeq = afterSeq;
    actionOnly.push("--after-seq");
  }
  const beforeSeq = nonNegativeInt(command, "before-seq", str(p, "before-seq"));
  if (beforeSeq !== undefined) {
    query.beforeSeq = beforeSeq;
    actionOnly.push("--before-seq");
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
  const order = oneOf(command, "order", str(p, "order"), ORDERS);
  if (order !== undefined) {
    query.order = order;
    actionOnly.push("--order");
  }
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

/**
 * The same filters from a URL's query string (`weft audit serve`), so a page, its JSON twin and
 * `weft audit list --json` with the same flags answer from one validated TraceQuery. Keys are the
 * flag names without dashes (`reason=missing_role&trace-id=…`); each may appear once, and keys
 * outside `allowed` are refused rather than ignored, so a typo never silently widens a result.
 */
export function parseFilterParams(
  command: string,
  params: URLSearchParams,
  allowed: readonly string[],
  extra: readonly string[] = [],
): Filters {
  const values: Parsed["values"] = {};
  for (const key of new Set(params.keys())) {
    if (extra.includes(key)) continue;
    if (!allowed.includes(key)) throw new UsageError(`unknown filter '${key}'`, command);
    const all = params.getAll(key);
    if (all.length > 1) throw new UsageError(`filter '${key}' given more than once`, command);
    const v = all[0] ?? "";
    if (v === "") continue; // an empty form field means "no filter"
    values[key] = v;
  }
  return parseFilters(command, { values, positionals: [] });
}
