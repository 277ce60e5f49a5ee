// Public types of the chained store. PORT CONTRACT — the span processor and the CLI code
// against these; change them only together with their users.

import type { ActionTrace, RevocationStore, TraceQuery, TraceStore } from "@weft/kernel";

/** A JSON number kept as its source lexeme, so foreign floats such as `2.0` round-trip exactly. */
export interface JsonNumber {
  readonly kind: "json-number";
  readonly lexeme: string;
}

export type JsonValue =
  | null
  | boolean
  | number
  | string
  | JsonNumber
  | JsonValue[]
  | { [key: string]: JsonValue };

export interface ChainRecord<P = JsonValue> {
  seq: number;
  prevHash: string;
  recordHash: string;
  payload: P;
}

export interface VerifyResult {
  ok: boolean;
  recordsChecked: number;
  firstBadSeq: number | null;
  detail: string;
}

export type ChainName = "actions" | "spans";
export type StoreFormat = "sqlite" | "jsonl" | "memory";

export interface StoreOptions {
  /** File path. `.jsonl` → JSONL, anything else → SQLite, unless `format` says otherwise. Ignored for memory. */
  path?: string;
  format?: StoreFormat;
  /** HMAC key; else WEFT_SECRET, else WEAVER_KERNEL_SECRET, else a per-process dev secret (one warning). */
  secret?: string;
  /** SQLite fsync policy: FULL = durable on return; NORMAL (WAL) = durable at checkpoint, survives process crash. Default FULL. */
  synchronous?: "FULL" | "NORMAL";
  /** How long a writer waits for another process's lock before StoreLockedError. Default 5000. */
  busyTimeoutMs?: number;
  /** Memory backend: bound on records held per chain. */
  maxRecords?: number;
  /** Open read-only (CLI verify/list). */
  readonly?: boolean;
}

/** OTel attribute value as stored. */
export type SpanAttributeValue = string | number | boolean | Array<string | number | boolean | null>;
export type SpanAttributes = Record<string, SpanAttributeValue>;

/**
 * `weft.span.v1`: one ended span, normalized. Timestamps are integer nanoseconds since the Unix
 * epoch as decimal strings (no floats). Ids are lowercase hex (trace 32, span 16).
 */
export interface SpanRecordV1 {
  schema: "weft.span.v1";
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  trace_state: string | null;
  name: string;
  kind: "INTERNAL" | "SERVER" | "CLIENT" | "PRODUCER" | "CONSUMER";
  start_time_unix_nano: string;
  end_time_unix_nano: string;
  duration_nano: string;
  status: { code: "UNSET" | "OK" | "ERROR"; message: string | null };
  attributes: SpanAttributes;
  events: Array<{
    name: string;
    time_unix_nano: string;
    attributes: SpanAttributes;
    dropped_attributes_count: number;
  }>;
  links: Array<{
    trace_id: string;
    span_id: string;
    trace_state: string | null;
    attributes: SpanAttributes;
    dropped_attributes_count: number;
  }>;
  resource: { attributes: SpanAttributes; schema_url: string | null };
  scope: { name: string; version: string | null; schema_url: string | null };
  /** W3C sampled flag; RECORD_ONLY spans are mirrored with `false`. */
  sampled: boolean;
  dropped: { attributes: number; events: number; links: number };
  /** Paths of values replaced before hashing, e.g. `attributes.http.request.header.authorization`. */
  redacted: string[];
}

export interface SpanQuery {
  traceId?: string;
  spanId?: string;
  /** `gen_ai.tool.call.id` attribute. */
  actionId?: string;
  /** `weft.principal.id` attribute. */
  principalId?: string;
  name?: string;
  /** Inclusive lower bound on start time, nanoseconds as string or a Date. */
  since?: Date | string;
  /** Exclusive upper bound on start time. */
  until?: Date | string;
  limit?: number;
  offset?: number;
}

export interface SpanTreeNode {
  record: ChainRecord<SpanRecordV1>;
  children: SpanTreeNode[];
}

/** A named chain of records with its own seq. */
export interface Chain<P = JsonValue> {
  readonly name: string;
  /** Appends one record; durable on return (per `synchronous`). */
  append(payload: P): ChainRecord<P>;
  /** Appends many records in one transaction. */
  appendBatch(payloads: readonly P[]): ChainRecord<P>[];
  count(): number;
  head(): { seq: number; recordHash: string } | null;
  /** Streams records in seq order in constant memory. */
  iterate(): IterableIterator<ChainRecord<P>>;
  verify(options?: { onProgress?: (checked: number, total: number) => void }): VerifyResult;
}

/** allow: permitted and succeeded; deny: refused by policy; error: permitted but failed. */
export type ActionDecision = "allow" | "deny" | "error";
/** time: (invoked_at, action_id), the reference's order; seq / seq-desc: chain order. */
export type ActionOrder = "time" | "seq" | "seq-desc";

/** The kernel's TraceQuery plus the filters and keyset paging a forensic reader needs. */
export interface ActionRecordQuery extends TraceQuery {
  /** Actions whose spans carry this trace id. */
  traceId?: string;
  decision?: ActionDecision;
  /** Only records with seq greater than this (keyset paging). */
  afterSeq?: number;
  /** Only records with seq less than this. */
  beforeSeq?: number;
  /** Default "time". */
  order?: ActionOrder;
}

/** The `actions` chain: ActionTraces in weaver-kernel's layout; the kernel's TraceStore port. */
export interface ActionChain extends Chain<ActionTrace>, TraceStore {
  getBySeq(seq: number): ChainRecord<ActionTrace> | undefined;
  /** The record (seq, hashes, trace) of one action id. */
  getRecord(actionId: string): ChainRecord<ActionTrace> | undefined;
  queryRecords(query: ActionRecordQuery): ChainRecord<ActionTrace>[];
  /** weaver-kernel prune semantics (SQLite only); returns the count removed. */
  prune(before: Date | string): number;
}

export interface SpanChain extends Chain<SpanRecordV1> {
  query(query: SpanQuery): ChainRecord<SpanRecordV1>[];
  /** Every span of a trace as a forest (roots = spans whose parent is not in the store). */
  trace(traceId: string): SpanTreeNode[];
}

export interface ChainedStore {
  readonly path: string;
  readonly format: StoreFormat;
  readonly actions: ActionChain;
  readonly spans: SpanChain;
  /** A durable revocation store (SQLite) for the kernel's token provider. */
  revocations(): RevocationStore;
  verify(chain: ChainName): VerifyResult;
  /**
   * Whether the store's secret is the one it was written with, judged by the secret fingerprint
   * a SQLite store keeps in its meta table: `"match"`, `"mismatch"`, or `"unknown"` (JSONL and
   * memory stores, and stores written by the reference, have no fingerprint). Writes nothing, so
   * read-only stores answer too; lets `verify` say "wrong secret" instead of "tampered".
   */
  secretCheck(): SecretCheck;
  close(): void;
}

export type SecretCheck = "match" | "mismatch" | "unknown";
