// The public chains over a RecordLog: ActionChain (the kernel's TraceStore port, payload = the
// reference's 16-key trace export) and SpanChain (weft.span.v1 records). Serialization happens
// once, here: canonical text is both what is hashed and what is stored.

import type { ActionTrace, DecisionRecordJson, TraceQuery } from "@weft/kernel";
import { canonicalActionPayload } from "./action-canonical.js";
import { decodeActionPayload, encodeActionTrace } from "./action-codec.js";
import { canonicalize, flatAscii } from "./canonical.js";
import { ChainVerifier, type RecordHasher } from "./chain.js";
import { StoreCorruptError } from "./errors.js";
import { parseJsonLossless } from "./json-lossless.js";
import type { ActionLog, DecisionColumns, DecisionLog, RawRow, RecordLog, SpanLog } from "./log.js";
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
  VerifyResult,
} from "./types.js";

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
    const entries = payloads.map((p) => this.encode(p));
    const linked = this.log.append(entries, this.hasher);
    const out: ChainRecord<P>[] = new Array(linked.length);
    for (let i = 0; i < linked.length; i++) {
      const l = linked[i]!;
      out[i] = { seq: l.seq, prevHash: l.prevHash, recordHash: l.recordHash, payload: payloads[i]! };
    }
    return out;
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

  verify(options?: { onProgress?: (checked: number, total: number) => void }): VerifyResult {
    this.guard("read");
    return this.log.snapshot(() => {
      const v = new ChainVerifier(this.hasher, this.log.genesis());
      const onProgress = options?.onProgress;
      const total = onProgress ? this.log.count() : 0;
      for (const row of this.log.rows()) {
        const payload = row.reparse ? { text: row.text, reparse: row.reparse } : { text: row.text };
        if (!v.step(row.seq, row.prevHash, row.recordHash, payload)) break;
        if (onProgress && v.checked % 1024 === 0) onProgress(v.checked, total);
      }
      if (onProgress) onProgress(v.checked, total);
      return v.result();
    });
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
    return row ? this.decode(row) : undefined;
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
    if (this.log.query) return this.log.query(q).map((row) => this.toRecord(row));
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
    return this.log.prune(toPythonIsoUtc(before, "before"));
  }
}

export class SpanChainImpl
  extends ChainBase<SpanRecordV1, ReturnType<typeof spanColumns>>
  implements SpanChain
{
  declare protected readonly log: SpanLog;

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
    if (this.log.query) return this.log.query(q).map((row) => this.toRecord(row));
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
      const v = new ChainVerifier(this.hasher, this.log.genesis());
      const onProgress = options?.onProgress;
      const total = onProgress ? this.log.count() : 0;
      const rows: RawRow[] = [];
      for (const row of this.log.rows()) {
        const payload = row.reparse ? { text: row.text, reparse: row.reparse } : { text: row.text };
        if (!v.step(row.seq, row.prevHash, row.recordHash, payload)) break;
        rows.push(row);
        if (onProgress && v.checked % 1024 === 0) onProgress(v.checked, total);
      }
      if (onProgress) onProgress(v.checked, total);
      const verify = v.result();
      // Decode only after the whole chain verified: nothing unverified reaches the caller.
      return { verify, records: verify.ok ? rows.map((row) => this.toRecord(row)) : [] };
    });
  }
}
