// What the pages show, computed from the store through the CLI's own query layer (parseFilters →
// ActionRecordQuery → store.actions.queryRecords, traceReport, envelopeJson), so the HTML page,
// its JSON twin and `weft audit … --json` with the same filters agree by construction.
import { type ChainedStore, canonicalize, type SpanRecordV1 } from "@weft/chained-store";
import type { ActionTrace } from "@weft/kernel";
import { FILTER_OPTIONS } from "../args.js";
import { envelopeJson } from "../commands/audit-show.js";
import { type TraceReport, traceReport } from "../commands/audit-trace.js";
import { NotFoundError, UsageError } from "../errors.js";
import { type Filters, parseFilterParams, parseTraceId } from "../filters.js";
import { type ActionRecord, toExport } from "../records.js";
import { decisionKind } from "../stats.js";
import type { ChainIntegrity } from "./messages.js";

export const COMMAND = "audit serve";
export const PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;
/** Filters a page URL may carry; limit/offset/order are the pager's, not the user's. */
export const PAGE_FILTERS = Object.keys(FILTER_OPTIONS).filter(
  (k) => k !== "limit" && k !== "offset" && k !== "order",
);
/** URL keys that are not filters. */
export const NON_FILTER_KEYS = ["token"];

export type RecordIntegrity = "verified" | "tampered" | "after-failure" | "unverified";

/** Where one record stands: verified by the last pass, the bad one, after it, or newer than the pass. */
export function recordIntegrity(seq: number, chain: ChainIntegrity | undefined): RecordIntegrity {
  if (chain === undefined) return "unverified";
  if (chain.firstBadSeq !== null) {
    if (seq === chain.firstBadSeq) return "tampered";
    if (seq > chain.firstBadSeq) return "after-failure";
  }
  if (chain.verifiedThrough !== null && seq <= chain.verifiedThrough) return "verified";
  return "unverified";
}

export function overviewFilters(params: URLSearchParams): Filters {
  return parseFilterParams(COMMAND, params, PAGE_FILTERS, NON_FILTER_KEYS);
}

export interface RecordsPage {
  filters: Filters;
  /** The URL's filters, normalized (for links that keep them). */
  params: URLSearchParams;
  rows: ActionRecord[];
  limit: number;
  /** Cursor for the next older page (before-seq), null when this is the oldest. */
  older: number | null;
  /** Cursor for the next newer page (after-seq), null when this is the newest. */
  newer: number | null;
}

function pageLimit(params: URLSearchParams): number {
  const text = params.get("limit");
  if (text === null || text === "") return PAGE_SIZE;
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > MAX_PAGE_SIZE) {
    throw new UsageError(`limit must be an integer from 1 to ${MAX_PAGE_SIZE}, got '${text}'`, COMMAND);
  }
  return Number(text);
}

/**
 * Newest first, keyset-paged by seq: `before-seq=N` pages back, `after-seq=N` forward. One more row
 * than shown is fetched to know whether another page exists, so no page ever counts the matches.
 */
export function recordsPage(store: ChainedStore, params: URLSearchParams): RecordsPage {
  const limit = pageLimit(params);
  const filterParams = new URLSearchParams(params);
  filterParams.delete("limit");
  const filters = parseFilterParams(COMMAND, filterParams, PAGE_FILTERS, NON_FILTER_KEYS);
  const q = filters.query;
  const forward = q.afterSeq !== undefined && q.beforeSeq === undefined;
  const got = store.actions.queryRecords({ ...q, order: forward ? "seq" : "seq-desc", limit: limit + 1 });
  const more = got.length > limit;
  const rows = got.slice(0, limit);
  if (forward) rows.reverse();
  const first = rows[0]?.seq;
  const last = rows[rows.length - 1]?.seq;
  const older = rows.length === 0 ? null : forward || more ? (last ?? null) : null;
  const newer =
    rows.length === 0
      ? null
      : forward
        ? more
          ? (first ?? null)
          : null
        : q.beforeSeq !== undefined
          ? (first ?? null)
          : null;
  const keep = new URLSearchParams();
  for (const k of PAGE_FILTERS) {
    const v = filterParams.get(k);
    if (v !== null && v !== "" && k !== "after-seq" && k !== "before-seq") keep.set(k, v);
  }
  return { filters, params: keep, rows, limit, older, newer };
}

export function recordJson(
  r: ActionRecord,
  chain: ChainIntegrity | undefined,
  traceIdOf: (actionId: string) => string | undefined,
): Record<string, unknown> {
  return { ...envelopeJson(r, traceIdOf), integrity: recordIntegrity(r.seq, chain) };
}

export interface RecordDetail {
  record: ActionRecord;
  /** The bytes that were hashed (canonical JSON of the export dict). */
  canonical: string;
  prev: ActionRecord | undefined;
  next: ActionRecord | undefined;
  spans: Array<{ seq: number; payload: SpanRecordV1 }>;
  traceIds: string[];
}

export function parseSeq(text: string): number {
  if (!/^\d{1,15}$/.test(text))
    throw new UsageError(`a record seq is a non-negative integer, got '${text}'`, COMMAND);
  return Number(text);
}

export function recordDetail(store: ChainedStore, seq: number): RecordDetail {
  const record = store.actions.getBySeq(seq);
  if (record === undefined) throw new NotFoundError(`no action record with seq ${seq}`);
  const spans = store.spans.query({ actionId: record.payload.actionId });
  const traceIds = [...new Set(spans.map((s) => s.payload.trace_id))];
  const detail: RecordDetail = {
    record,
    canonical: canonicalize(toExport(record.payload)),
    prev: seq > 0 ? store.actions.getBySeq(seq - 1) : undefined,
    next: store.actions.getBySeq(seq + 1),
    spans: spans.map((s) => ({ seq: s.seq, payload: s.payload })),
    traceIds,
  };
  return detail;
}

export function recordDetailJson(
  d: RecordDetail,
  chain: ChainIntegrity | undefined,
  traceIdOf: (actionId: string) => string | undefined,
): Record<string, unknown> {
  const link = (r: ActionRecord | undefined) => (r ? { seq: r.seq, record_hash: r.recordHash } : null);
  return {
    ...recordJson(d.record, chain, traceIdOf),
    canonical: d.canonical,
    prev: link(d.prev),
    next: link(d.next),
    prev_links: d.prev === undefined ? null : d.prev.recordHash === d.record.prevHash,
    trace_ids: d.traceIds,
    span_seqs: d.spans.map((s) => s.seq),
    receipt: null,
  };
}

export function tracePage(store: ChainedStore, raw: string): TraceReport {
  return traceReport(store, parseTraceId(COMMAND, raw));
}

export function decisionLabel(t: ActionTrace): "allow" | "deny" | "error" {
  return decisionKind(t);
}
