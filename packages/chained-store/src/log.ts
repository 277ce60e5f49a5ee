// The backend seam: a RecordLog stores one chain's rows (canonical payload text + envelope) and
// links them. Chains (chains.ts) encode/decode payloads on top of it. A server database, or a
// Merkle/checkpoint layer over record hashes, plugs in here without touching the chain format.

import type { RecordHasher } from "./chain.js";
import type { NormalizedSpanQuery, NormalizedTraceQuery } from "./query.js";
import type { SpanColumns } from "./span-codec.js";
import type { ChainStart } from "./start.js";
import type { JsonValue } from "./types.js";

/** Indexed columns of a row as stored (column name → text or null), for verify to check. */
export type StoredColumns = Record<string, string | null>;

export interface RawRow {
  seq: number;
  prevHash: string;
  recordHash: string;
  /** Stored payload JSON text (canonical when Weft wrote it). */
  text: string;
  /** Re-reads the payload from the full stored record, for layouts where `text` was cut out of it. */
  reparse?: () => JsonValue;
  /** Set by `verifyRows`: the row's indexed columns as stored, which verify compares with the payload. */
  stored?: StoredColumns;
}

export interface Linked {
  seq: number;
  prevHash: string;
  recordHash: string;
}

export interface LogEntry<C> {
  text: string;
  columns: C;
}

export interface ActionColumns {
  actionId: string;
  invokedAt: string;
}

export interface RecordLog<C> {
  /** Reads the head, links and writes the entries atomically; returns their envelopes. */
  append(entries: LogEntry<C>[], hasher: RecordHasher): Linked[];
  rows(): IterableIterator<RawRow>;
  count(): number;
  head(): { seq: number; recordHash: string } | null;
  bySeq(seq: number): RawRow | undefined;
  /** prev_hash the first stored record must link to: genesis, or the prune checkpoint. */
  genesis(): string;
  /** The chain's starting point with its authentication, for verify. */
  start(): ChainStart;
  /** Rows for verify, with their indexed columns as stored; defaults to `rows()`. */
  verifyRows?(): IterableIterator<RawRow>;
  /** Runs `fn` on one consistent snapshot (a read transaction in SQLite). */
  snapshot<T>(fn: () => T): T;
}

export interface ActionLog extends RecordLog<ActionColumns> {
  byActionId(actionId: string): RawRow | undefined;
  /** Indexed query; absent → the chain scans and filters. */
  query?(q: NormalizedTraceQuery): RawRow[];
  /** Removes rows with invoked_at < cutoff (text compare) and records the checkpoint. */
  prune(cutoffIso: string, hasher: RecordHasher): number;
}

/** The decisions chain has no index columns: every read goes through its verified payloads. */
export type DecisionColumns = Record<string, never>;
export type DecisionLog = RecordLog<DecisionColumns>;

export interface SpanLog extends RecordLog<SpanColumns> {
  query?(q: NormalizedSpanQuery): RawRow[];
}
