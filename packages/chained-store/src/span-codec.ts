// SpanRecordV1 helpers: the indexed columns pulled out of a span record, the filter used by
// scanning backends, and the parent/child forest of one trace.

import { ATTR_WEFT_ACTION_ID, ATTR_WEFT_PRINCIPAL_ID, SCHEMA_WEFT_SPAN_V1 } from "@weft/semconv";
import { InvalidArgumentError } from "./errors.js";
import type { NormalizedSpanQuery } from "./query.js";
import type { ChainRecord, SpanRecordV1, SpanTreeNode } from "./types.js";

export interface SpanColumns {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  name: string;
  /** Integer nanoseconds as decimal text. */
  startNs: string;
  actionId: string | null;
  principalId: string | null;
}

/** Decimal nanos without leading zeros, so the stored INTEGER column prints back as the same text. */
const NANOS = /^(0|[1-9]\d{0,39})$/;
/** SQLite INTEGER is 64-bit signed: later than this (2262-04-11) cannot be indexed exactly. */
const MAX_NANOS = 9223372036854775807n;

export function spanColumns(r: SpanRecordV1): SpanColumns {
  if (typeof r !== "object" || r === null || r.schema !== SCHEMA_WEFT_SPAN_V1) {
    throw new InvalidArgumentError(`span record must have schema "${SCHEMA_WEFT_SPAN_V1}"`);
  }
  if (typeof r.trace_id !== "string" || typeof r.span_id !== "string" || typeof r.name !== "string") {
    throw new InvalidArgumentError("span record needs string trace_id, span_id and name");
  }
  if (typeof r.start_time_unix_nano !== "string" || !NANOS.test(r.start_time_unix_nano)) {
    throw new InvalidArgumentError(
      "span start_time_unix_nano must be integer nanoseconds as a decimal string",
    );
  }
  if (r.start_time_unix_nano.length > 19 || BigInt(r.start_time_unix_nano) > MAX_NANOS) {
    throw new InvalidArgumentError(
      "span start_time_unix_nano is past 2262-04-11T23:47:16Z, beyond what the store can index exactly",
    );
  }
  const action = r.attributes?.[ATTR_WEFT_ACTION_ID];
  const principal = r.attributes?.[ATTR_WEFT_PRINCIPAL_ID];
  return {
    traceId: r.trace_id,
    spanId: r.span_id,
    parentSpanId: r.parent_span_id ?? null,
    name: r.name,
    startNs: r.start_time_unix_nano,
    actionId: typeof action === "string" ? action : null,
    principalId: typeof principal === "string" ? principal : null,
  };
}

/**
 * The structural checks an append makes of a span record (schema, ids, name, start time within
 * what the store indexes), without serializing it: cheap enough to run on every span first.
 */
export function validateSpanRecord(r: SpanRecordV1): void {
  spanColumns(r);
}

export function matchesSpanQuery(c: SpanColumns, q: NormalizedSpanQuery): boolean {
  if (q.traceId !== undefined && c.traceId !== q.traceId) return false;
  if (q.spanId !== undefined && c.spanId !== q.spanId) return false;
  if (q.actionId !== undefined && c.actionId !== q.actionId) return false;
  if (q.principalId !== undefined && c.principalId !== q.principalId) return false;
  if (q.name !== undefined && c.name !== q.name) return false;
  const start = BigInt(c.startNs);
  if (q.since !== undefined && start < q.since) return false;
  if (q.until !== undefined && start >= q.until) return false;
  return true;
}

/** Builds the forest of one trace: roots are spans whose parent is absent from the set. */
export function buildSpanForest(records: ChainRecord<SpanRecordV1>[]): SpanTreeNode[] {
  const nodes = new Map<string, SpanTreeNode>();
  for (const record of records) nodes.set(record.payload.span_id, { record, children: [] });
  const roots: SpanTreeNode[] = [];
  for (const node of nodes.values()) {
    const parentId = node.record.payload.parent_span_id;
    const parent = parentId === null ? undefined : nodes.get(parentId);
    if (parent && parent !== node) parent.children.push(node);
    else roots.push(node);
  }
  return roots;
}
