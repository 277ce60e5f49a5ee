// The public chains over a RecordLog: ActionChain (the kernel's TraceStore port, payload = the
// reference's 16-key trace export) and SpanChain (weft.span.v1 records). Serialization happens
// once, here: canonical text is both what is hashed and what is stored.

import type { ActionTrace, DecisionRecordJson, TraceQuery } from "@weft/kernel";
import { canonicalActionPayload } from "./action-canonical.js";
import { decodeActionPayload, encodeActionTrace } from "./action-codec.js";
import { MAX_LINE_BYTES } from "./backends/jsonl-lines.js";
import { canonicalize, flatAscii } from "./canonical.js";
import { ChainVerifier, messagePrefix, type RecordHasher, type StepPayload } from "./chain.js";
import { InvalidArgumentError, StoreCorruptError } from "./errors.js";
import { actionColumnsOf, columnMismatch, type DerivedColumns, spanColumnsOf } from "./index-check.js";
import { parseJsonLossless } from "./json-lossless.js";
import type { ActionLog, DecisionColumns, DecisionLog, RawRow, RecordLog, SpanLog } from "./log.js";
import { HashPool, PARALLEL_MIN_RECORDS, VERIFY_BATCH } from "./parallel-verify.js";
import {
  compareActions,
  matchesSeqBounds,
  matchesTraceQuery,
  normalizeSpanQuery,
  normalizeTraceQuery,
  page,
} from "./query.js";
import { fastSpan } from "./span-canonical.js";
import { buildSpanForest, matchesSpanQuery, spanColumns } from "./span-codec.js";
import { checkStart } from "./start.js";
import { toPythonIsoUtc } from "./time.js";
import type {
  ActionChain,
  ActionRecordQuery,
  ChainRecord,
  DecisionChain,
  SpanChain,
  SpanQuery,
  SpanRecordV1,
  SpanTreeNode,
  VerifyOptions,
  VerifyResult,
} from "./types.js";

/** Largest canonical payload appended or read back (a JSONL line also holds the envelope). */
export const MAX_RECORD_BYTES = MAX_LINE_BYTES - 512;

/**
 * Feeds `rows` to `check` in order, with each row's stored-HMAC match computed ahead by a pool of
 * `jobs` workers. At most 2 × jobs batches are read ahead, so memory stays bounded by batch size,
 * not store size. Stops reading as soon as `check` returns false.
 */
function verifyInParallel(
  rows: IterableIterator<RawRow>,
  jobs: number,
  key: Uint8Array,
  check: (row: RawRow, storedMatch: boolean) => boolean,
  faultAtBatch: number | undefined,
): void {
  const pool = new HashPool(Math.max(1, jobs - 1), key, faultAtBatch !== undefined ? { faultAtBatch } : {});
  const pending: RawRow[][] = [];
  let sent = 0;
  let taken = 0;
  let exhausted = false;
  const fill = (): void => {
    while (!exhausted && sent - taken < 2 * pool.size) {
      const batch: RawRow[] = [];
      const prefixes: string[] = [];
      const texts: string[] = [];
      const hashes: string[] = [];
      while (batch.length < VERIFY_BATCH) {
        const next = rows.next();
        if (next.done) {
          exhausted = true;
          break;
        }
        const row = next.value;
        batch.push(row);
        prefixes.push(messagePrefix(row.seq, row.prevHash));
        texts.push(row.text);
        hashes.push(row.recordHash);
      }
      if (batch.length === 0) break;
      pool.send(sent % pool.size, { prefixes, texts, hashes });
      pending.push(batch);
      sent++;
    }
  };
  try {
    fill();
    while (taken < sent) {
      const bits = pool.take(taken % pool.size);
      const batch = pending.shift()!;
      taken++;
      // Refill before checking, so the workers hash the next batches while this thread links.
      fill();
      for (let i = 0; i < batch.length; i++) {
        if (!check(batch[i]!, bits[i] === 1)) return;
      }
    }
  } finally {
    pool.close();
    rows.return?.();
  }
}

abstract class ChainBase<P, C> {
  constructor(
    readonly name: string,
    protected readonly log: RecordLog<C>,
    protected readonly hasher: RecordHasher,
    protected readonly path: string,
    protected readonly guard: (what: string) => void,
  ) {}

  protected abstract encode(payload: P): { text: string; columns: C };
  protected abstract decode(row: RawRow): P;

  append(payload: P): ChainRecord<P> {
    return this.appendBatch([payload])[0]!;
  }

  appendBatch(payloads: readonly P[]): ChainRecord<P>[] {
    this.guard("append");
    if (payloads.length === 0) return [];
    // Validation that can fail runs before the backend, so a refused batch writes nothing.
    const entries = payloads.map((p) => this.#checkedEntry(p));
    const linked = this.log.append(entries, this.hasher);
    const out: ChainRecord<P>[] = new Array(linked.length);
    for (let i = 0; i < linked.length; i++) {
      const l = linked[i]!;
      out[i] = { seq: l.seq, prevHash: l.prevHash, recordHash: l.recordHash, payload: payloads[i]! };
    }
    return out;
  }

  validate(payload: P): void {
    this.#checkedEntry(payload);
  }

  #checkedEntry(payload: P): { text: string; columns: C } {
    const e = this.encode(payload);
    if (e.text.length > MAX_RECORD_BYTES) {
      throw new InvalidArgumentError(
        `a ${this.name} record is ${e.text.length} bytes of canonical JSON; the most a store holds is ${MAX_RECORD_BYTES}`,
      );
    }
    return e;
  }

  count(): number {
    this.guard("read");
    return this.log.count();
  }

  head(): { seq: number; recordHash: string } | null {
    this.guard("read");
    return this.log.head();
  }

  *iterate(): IterableIterator<ChainRecord<P>> {
    this.guard("read");
    for (const row of this.log.rows()) yield this.toRecord(row);
  }

  verify(options?: VerifyOptions): VerifyResult {
    this.guard("read");
    return this.log.snapshot(() => this.verifyRowsWith(options));
  }

  /** Verifies in seq order inside the caller's snapshot; `onVerified` sees each row that passed. */
  protected verifyRowsWith(
    options: VerifyOptions | undefined,
    onVerified?: (row: RawRow) => void,
  ): VerifyResult {
    const start = checkStart(this.hasher, this.name, this.log.start());
    const v = new ChainVerifier(this.hasher, start.prevHash, start.nextSeq);
    const onProgress = options?.onProgress;
    const jobs = options?.jobs ?? 1;
    // The count is cheap next to a verify, and decides whether workers pay for themselves.
    const total = onProgress || jobs > 1 ? this.log.count() : 0;
    let first = true;
    /** The serial checks of one row, in order; false stops the verify. */
    const check = (row: RawRow, storedMatch: boolean | undefined): boolean => {
      const payload: StepPayload = row.reparse
        ? { text: row.text, reparse: row.reparse }
        : { text: row.text };
      if (storedMatch !== undefined) payload.storedMatch = storedMatch;
      if (!v.step(row.seq, row.prevHash, row.recordHash, payload)) return false;
      if (first) {
        first = false;
        // Checked after the first record's own hash: with the wrong secret both fail, and the
        // record's failure is the reference's (and the more useful) report.
        if (start.failure !== undefined) {
          v.fail(row.seq, `Moved start at seq ${row.seq}: ${start.failure}.`);
          return false;
        }
      }
      if (row.stored !== undefined && !this.#columnsMatch(v, row)) return false;
      onVerified?.(row);
      if (onProgress && v.checked % 1024 === 0) onProgress(v.checked, total);
      return true;
    };
    const rows = this.log.verifyRows ? this.log.verifyRows() : this.log.rows();
    const minRecords = options?.parallelMinRecords ?? PARALLEL_MIN_RECORDS;
    if (jobs > 1 && total >= minRecords) {
      verifyInParallel(rows, jobs, this.hasher.keyBytes(), check, options?.faultAtBatch);
    } else {
      for (const row of rows) if (!check(row, undefined)) break;
    }
    if (first && !v.failed && start.failure !== undefined) {
      const at = start.nextSeq ?? 0;
      v.fail(at, `Moved start at seq ${at}: ${start.failure}.`);
    }
    if (onProgress) onProgress(v.checked, total);
    const result = v.result();
    if (result.ok && start.warning !== undefined) result.warnings = [start.warning];
    return result;
  }

  /** Compares a verified row's indexed columns with the ones its payload implies. */
  #columnsMatch(v: ChainVerifier, row: RawRow): boolean {
    let payload: unknown;
    try {
      payload = row.reparse ? row.reparse() : JSON.parse(row.text);
    } catch {
      payload = undefined;
    }
    const derived =
      typeof payload === "object" && payload !== null && !Array.isArray(payload)
        ? this.derivedColumns(payload as Record<string, unknown>)
        : {};
    const column = columnMismatch(row.stored ?? {}, derived);
    if (column === null) return true;
    return v.fail(
      row.seq,
      `Tampered index at seq ${row.seq}: stored column '${column}' does not match the record's content ` +
        "(a filtered read would return the wrong records).",
    );
  }

  /** The indexed columns this chain's payload implies (see index-check.ts). */
  protected abstract derivedColumns(payload: Record<string, unknown>): DerivedColumns;

  /** A read found a row whose index disagrees with its payload: never return it as a match. */
  protected indexMismatch(seq: number, column: string): StoreCorruptError {
    return new StoreCorruptError(
      this.path,
      { seq },
      `${column} stored beside the record does not match its content (tampered index; run verify)`,
    );
  }

  protected toRecord(row: RawRow): ChainRecord<P> {
    return { seq: row.seq, prevHash: row.prevHash, recordHash: row.recordHash, payload: this.decode(row) };
  }

  protected parse(row: RawRow): ReturnType<typeof parseJsonLossless> {
    try {
      return parseJsonLossless(row.text);
    } catch (cause) {
      if (row.reparse) {
        try {
          return row.reparse();
        } catch {
          // fall through: report the payload as corrupt
        }
      }
      throw new StoreCorruptError(this.path, { seq: row.seq }, "payload is not valid JSON", { cause });
    }
  }
}

export class ActionChainImpl
  extends ChainBase<ActionTrace, { actionId: string; invokedAt: string }>
  implements ActionChain
{
  declare protected readonly log: ActionLog;
  /** Action ids mentioned by the spans of one trace; set by the store (scanning backends only). */
  spanActionIds: ((traceId: string) => Set<string>) | undefined;

  protected derivedColumns(payload: Record<string, unknown>): DerivedColumns {
    return actionColumnsOf(payload);
  }

  protected encode(t: ActionTrace) {
    return {
      text: flatAscii(canonicalActionPayload(encodeActionTrace(t))),
      columns: { actionId: t.actionId, invokedAt: t.invokedAt },
    };
  }

  protected decode(row: RawRow): ActionTrace {
    return decodeActionPayload(
      this.parse(row),
      (reason) => new StoreCorruptError(this.path, { seq: row.seq }, reason),
    );
  }

  record(trace: ActionTrace): void {
    this.append(trace);
  }

  get(actionId: string): ActionTrace | undefined {
    this.guard("read");
    const row = this.log.byActionId(actionId);
    if (!row) return undefined;
    const trace = this.decode(row);
    // The lookup went through the action_id column; return only what the payload itself says.
    if (trace.actionId !== actionId) throw this.indexMismatch(row.seq, "action_id");
    return trace;
  }

  getRecord(actionId: string): ChainRecord<ActionTrace> | undefined {
    this.guard("read");
    const row = this.log.byActionId(actionId);
    return row ? this.toRecord(row) : undefined;
  }

  getBySeq(seq: number): ChainRecord<ActionTrace> | undefined {
    this.guard("read");
    const row = this.log.bySeq(seq);
    return row ? this.toRecord(row) : undefined;
  }

  listAll(): ActionTrace[] {
    this.guard("read");
    const out: ActionTrace[] = [];
    for (const row of this.log.rows()) out.push(this.decode(row));
    return out;
  }

  query(query: TraceQuery): ActionTrace[] {
    return this.queryRecords(query).map((r) => r.payload);
  }

  queryRecords(query: ActionRecordQuery): ChainRecord<ActionTrace>[] {
    this.guard("read");
    const q = normalizeTraceQuery(query);
    if (q.limit === 0) return [];
    if (this.log.query) {
      // Indexed columns narrowed the rows; the payload (what verify checks) has the last word.
      return this.log.query(q).map((row) => {
        const r = this.toRecord(row);
        if (!matchesTraceQuery(r.payload, q)) throw this.indexMismatch(row.seq, "a filtered column");
        return r;
      });
    }
    const inTrace =
      q.traceId === undefined ? undefined : (this.spanActionIds?.(q.traceId) ?? new Set<string>());
    const hits: ChainRecord<ActionTrace>[] = [];
    for (const row of this.log.rows()) {
      const r = this.toRecord(row);
      if (
        matchesSeqBounds(r.seq, q) &&
        matchesTraceQuery(r.payload, q) &&
        (inTrace === undefined || inTrace.has(r.payload.actionId))
      )
        hits.push(r);
    }
    if (q.order === "time") hits.sort((a, b) => compareActions(a.payload, b.payload));
    else if (q.order === "seq-desc") hits.reverse(); // rows() streams in seq order
    return page(hits, q);
  }

  prune(before: Date | string): number {
    this.guard("prune");
    return this.log.prune(toPythonIsoUtc(before, "before"), this.hasher);
  }
}

export class SpanChainImpl
  extends ChainBase<SpanRecordV1, ReturnType<typeof spanColumns>>
  implements SpanChain
{
  declare protected readonly log: SpanLog;

  protected derivedColumns(payload: Record<string, unknown>): DerivedColumns {
    return spanColumnsOf(payload);
  }

  protected encode(r: SpanRecordV1) {
    // The fast path's JSON.stringify output is already one flat string; only the fallback is a rope.
    return { columns: spanColumns(r), text: fastSpan(r) ?? flatAscii(canonicalize(r)) };
  }

  protected decode(row: RawRow): SpanRecordV1 {
    // Weft writes span payloads canonically, and canonical text of JS numbers parses back exactly.
    try {
      return JSON.parse(row.text) as SpanRecordV1;
    } catch (cause) {
      if (row.reparse) {
        try {
          return row.reparse() as unknown as SpanRecordV1;
        } catch {
          // fall through
        }
      }
      throw new StoreCorruptError(this.path, { seq: row.seq }, "span payload is not valid JSON", { cause });
    }
  }

  query(query: SpanQuery): ChainRecord<SpanRecordV1>[] {
    this.guard("read");
    const q = normalizeSpanQuery(query);
    if (q.limit === 0) return [];
    if (this.log.query) {
      return this.log.query(q).map((row) => {
        const r = this.toRecord(row);
        let ok = false;
        try {
          ok = matchesSpanQuery(spanColumns(r.payload), q);
        } catch {
          ok = false;
        }
        if (!ok) throw this.indexMismatch(row.seq, "a filtered column");
        return r;
      });
    }
    const hits: ChainRecord<SpanRecordV1>[] = [];
    for (const row of this.log.rows()) {
      const r = this.toRecord(row);
      if (matchesSpanQuery(spanColumns(r.payload), q)) hits.push(r);
    }
    hits.sort((a, b) => {
      const d = BigInt(a.payload.start_time_unix_nano) - BigInt(b.payload.start_time_unix_nano);
      return d < 0n ? -1 : d > 0n ? 1 : a.seq - b.seq;
    });
    return page(hits, q);
  }

  trace(traceId: string): SpanTreeNode[] {
    return buildSpanForest(this.query({ traceId }));
  }
}

export class DecisionChainImpl
  extends ChainBase<DecisionRecordJson, DecisionColumns>
  implements DecisionChain
{
  declare protected readonly log: DecisionLog;

  protected encode(r: DecisionRecordJson) {
    return { text: flatAscii(canonicalize(r)), columns: {} };
  }

  protected decode(row: RawRow): DecisionRecordJson {
    const v = this.parse(row);
    if (typeof v !== "object" || v === null || Array.isArray(v))
      throw new StoreCorruptError(this.path, { seq: row.seq }, "decision payload is not a JSON object");
    return v as unknown as DecisionRecordJson;
  }

  readVerified(options?: { onProgress?: (checked: number, total: number) => void }): {
    verify: VerifyResult;
    records: ChainRecord<DecisionRecordJson>[];
  } {
    this.guard("read");
    return this.log.snapshot(() => {
      const rows: RawRow[] = [];
      // The same checks as verify() (signed start included), keeping each row that passed.
      const verify = this.verifyRowsWith(options, (row) => rows.push(row));
      // Decode only after the whole chain verified: nothing unverified reaches the caller.
      return { verify, records: verify.ok ? rows.map((row) => this.toRecord(row)) : [] };
    });
  }

  protected derivedColumns(_payload: Record<string, unknown>): DerivedColumns {
    return {}; // no index columns: reads go through verified payloads
  }
}
