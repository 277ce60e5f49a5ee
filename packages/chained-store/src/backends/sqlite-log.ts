// The two hash chains of a SQLite store (actions in `traces`, spans in `weft_spans`): statements
// prepared once, and every append reads the head and inserts inside one BEGIN IMMEDIATE
// transaction, so several processes appending to one file still produce one chain.

import type Database from "better-sqlite3";
import { GENESIS_HASH, type RecordHasher } from "../chain.js";
import { DuplicateActionIdError, StoreCorruptError } from "../errors.js";
import type { ActionColumns, ActionLog, Linked, LogEntry, RawRow, SpanLog, StoredColumns } from "../log.js";
import {
  META_CHECKPOINT_HASH,
  META_CHECKPOINT_MAC,
  META_CHECKPOINT_NEXT_SEQ,
  META_SPANS_CHECKPOINT_HASH,
  META_SPANS_CHECKPOINT_MAC,
  META_SPANS_CHECKPOINT_NEXT_SEQ,
} from "../meta.js";
import type { NormalizedSpanQuery, NormalizedTraceQuery } from "../query.js";
import type { SpanColumns } from "../span-codec.js";
import { type ChainStart, startMac } from "../start.js";
import { MAX_LINE_BYTES } from "./jsonl-lines.js";
import type { SqliteDatabase } from "./sqlite-database.js";
import { sqliteCode } from "./sqlite-errors.js";
import { DECISION_FIELD, payloadField } from "./sqlite-schema.js";

/** Stands in for an oversized payload cell (a NUL-led string no JSON payload can be). */
const TOO_LARGE = "\u0000weft:payload-too-large";
/**
 * The four record columns of every read. A payload cell larger than any record Weft writes is
 * returned as the marker, so one hostile cell cannot make a read load hundreds of megabytes.
 */
const ROW_COLUMNS =
  "seq, prev_hash, record_hash, CASE WHEN length(CAST(payload AS BLOB)) > " +
  `${MAX_LINE_BYTES} THEN char(0) || 'weft:payload-too-large' ELSE payload END`;

type Row = [bigint, unknown, unknown, unknown, ...unknown[]];

/** How the Merkle layer follows appends without the backend knowing about trees. */
export interface MerkleHooks {
  /** Inside the append transaction, after the inserts. */
  appended(firstSeq: number, leaves: readonly Buffer[]): void;
  /** After the transaction committed (events go out only for durable state). */
  committed(): void;
  /** The transaction rolled back. */
  rolledBack(): void;
  /** Inside a prune transaction, before rows are deleted: the tree must cover them first. */
  beforePrune(): void;
}

/** What both chains share: head, tip, batched append, reads and paging. */
export abstract class SqliteChainLog<C> {
  readonly #headStmt: Database.Statement;
  readonly #countStmt: Database.Statement;
  readonly #bySeqStmt: Database.Statement;
  readonly #rowsStmt: Database.Statement;
  readonly #metaStmt: Database.Statement;
  protected readonly db: Database.Database;

  constructor(
    protected readonly owner: SqliteDatabase,
    readonly label: string,
    protected readonly table: string,
    private readonly checkpointHashKey: string,
    private readonly checkpointSeqKey: string,
    readonly macKey: string,
    /** Indexed columns as stored, selected after the four record columns for verify. */
    private readonly indexedColumns: ReadonlyArray<readonly [name: string, sql: string]>,
  ) {
    this.db = owner.db;
    const cols = ROW_COLUMNS;
    const rowStmt = (sql: string) => this.db.prepare(sql).raw(true).safeIntegers(true);
    this.#headStmt = rowStmt(`SELECT ${cols} FROM ${table} ORDER BY seq DESC LIMIT 1`);
    this.#countStmt = this.db.prepare(`SELECT COUNT(*) FROM ${table}`).pluck();
    this.#bySeqStmt = rowStmt(`SELECT ${cols} FROM ${table} WHERE seq = ?`);
    this.#rowsStmt = rowStmt(`SELECT ${cols} FROM ${table} ORDER BY seq`);
    this.#verifyStmt = rowStmt(
      `SELECT ${[cols, ...indexedColumns.map((c) => c[1])].join(", ")} FROM ${table} ORDER BY seq`,
    );
    this.#metaStmt = this.db.prepare("SELECT value FROM meta WHERE key = ?").pluck();
  }

  readonly #verifyStmt: Database.Statement;

  protected abstract insert(seq: number, prevHash: string, recordHash: string, entry: LogEntry<C>): void;

  /** A stored row as a RawRow; NULL or mistyped envelope cells and out-of-range seqs are typed errors. */
  protected toRaw(r: Row): RawRow {
    const seq = r[0];
    if (typeof seq !== "bigint") {
      const where = typeof seq === "number" && Number.isSafeInteger(seq) ? { seq } : {};
      const what = typeof seq === "number" ? "a float" : cellType(seq);
      throw new StoreCorruptError(this.owner.path, where, `a ${this.label} row has ${what} seq`);
    }
    if (seq < 0n || seq > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new StoreCorruptError(this.owner.path, { seq }, "seq is outside 0..2^53-1");
    }
    const at = Number(seq);
    const text = (i: number, name: string): string => {
      const v = r[i];
      if (typeof v === "string") return v;
      throw new StoreCorruptError(this.owner.path, { seq: at }, `column ${name} is ${cellType(v)}, not text`);
    };
    const payload = text(3, "payload");
    if (payload === TOO_LARGE) {
      throw new StoreCorruptError(
        this.owner.path,
        { seq: at },
        `payload is larger than ${MAX_LINE_BYTES} bytes`,
      );
    }
    return { seq: at, prevHash: text(1, "prev_hash"), recordHash: text(2, "record_hash"), text: payload };
  }

  lastRow(): RawRow | undefined {
    return this.guarded(() => {
      const r = this.#headStmt.get() as Row | undefined;
      return r ? this.toRaw(r) : undefined;
    });
  }

  /** Runs a read; a driver failure (a damaged file: SQLITE_CORRUPT, …) becomes the store's typed error. */
  protected guarded<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      throw this.owner.error(e, `read ${this.label}`);
    }
  }

  /** Next seq and prev_hash: after the newest row, else after the prune checkpoint, else genesis. */
  protected tip(): { nextSeq: number; prevHash: string } {
    const r = this.#headStmt.get() as Row | undefined;
    if (r) {
      const row = this.toRaw(r);
      return { nextSeq: row.seq + 1, prevHash: row.recordHash };
    }
    const next = this.#metaStmt.get(this.checkpointSeqKey) as string | undefined;
    return { nextSeq: next === undefined ? 0 : Number(next), prevHash: this.genesis() };
  }

  /**
   * One BEGIN IMMEDIATE transaction per batch: the head is read once, then every entry is
   * linked and inserted. Entries arrive already canonical and flat (encoded before the lock), so
   * the lock is held only for HMAC and insert.
   *
   * Two passes, all HMACs then all inserts, rather than alternating per record, so OpenSSL's and
   * SQLite's working sets do not evict each other after every row: ~3% less CPU per append on a
   * file database in paired interleaved runs of the span bench. Same rows, order and transaction.
   */
  readonly #appendTx = (entries: LogEntry<C>[], hasher: RecordHasher): Linked[] => {
    let { nextSeq: seq, prevHash } = this.tip();
    const out: Linked[] = new Array(entries.length);
    const merkle = this.merkle;
    // The Merkle leaf is hashed from the same message bytes as the HMAC (one extra SHA-256).
    const leaves: Buffer[] | undefined = merkle ? new Array(entries.length) : undefined;
    for (let i = 0; i < entries.length; i++) {
      let recordHash: string;
      if (leaves) {
        const h = hasher.hashCanonicalLeaf(seq, prevHash, entries[i]!.text);
        recordHash = h.recordHash;
        leaves[i] = h.leaf;
      } else {
        recordHash = hasher.hashCanonical(seq, prevHash, entries[i]!.text);
      }
      out[i] = { seq, prevHash, recordHash };
      prevHash = recordHash;
      seq++;
    }
    for (let i = 0; i < entries.length; i++) {
      const l = out[i]!;
      this.insert(l.seq, l.prevHash, l.recordHash, entries[i]!);
    }
    if (merkle && leaves) merkle.appended(out[0]!.seq, leaves);
    return out;
  };

  /** The Merkle layer's hooks (set by the store): told of every append inside its transaction. */
  merkle: MerkleHooks | undefined;
  #appendTxn: Database.Transaction<(entries: LogEntry<C>[], hasher: RecordHasher) => Linked[]> | undefined;

  append(entries: LogEntry<C>[], hasher: RecordHasher): Linked[] {
    this.owner.checkSameFile();
    this.#appendTxn ??= this.db.transaction(this.#appendTx);
    let linked: Linked[];
    try {
      linked = this.#appendTxn.immediate(entries, hasher);
    } catch (e) {
      this.merkle?.rolledBack();
      throw this.owner.error(e, `append to ${this.label}`);
    }
    this.merkle?.committed();
    return linked;
  }

  /** Seq of the next record. */
  nextSeq(): number {
    return this.tip().nextSeq;
  }

  *rows(): IterableIterator<RawRow> {
    const it = this.guarded(() => this.#rowsStmt.iterate() as IterableIterator<Row>);
    try {
      for (;;) {
        const next = this.guarded(() => it.next());
        if (next.done) return;
        yield this.toRaw(next.value);
      }
    } finally {
      it.return?.(); // a reader that stops early must not leave the statement (and connection) busy
    }
  }

  *verifyRows(): IterableIterator<RawRow> {
    const cols = this.indexedColumns;
    const it = this.guarded(() => this.#verifyStmt.iterate() as IterableIterator<Row>);
    try {
      yield* this.#withColumns(it, cols);
    } finally {
      it.return?.();
    }
  }

  *#withColumns(
    it: IterableIterator<Row>,
    cols: ReadonlyArray<readonly [name: string, sql: string]>,
  ): IterableIterator<RawRow> {
    for (;;) {
      const next = this.guarded(() => it.next());
      if (next.done) return;
      const r = next.value;
      const row = this.toRaw(r);
      const stored: StoredColumns = {};
      for (let i = 0; i < cols.length; i++) {
        const v = r[4 + i];
        // Any non-text cell (a number where text belongs, a blob) shows as its type, which no
        // payload-derived value equals: verify reports it as a tampered index at this seq.
        stored[cols[i]![0]] = v === null || typeof v === "string" ? v : `<${cellType(v)}>`;
      }
      if (cols.length > 0) row.stored = stored;
      yield row;
    }
  }

  start(): ChainStart {
    return this.guarded(() => this.#start());
  }

  #start(): ChainStart {
    const hash = this.#metaStmt.get(this.checkpointHashKey) as unknown;
    const next = this.#metaStmt.get(this.checkpointSeqKey) as unknown;
    const mac = this.#metaStmt.get(this.macKey) as unknown;
    const macText = typeof mac === "string" ? mac : undefined;
    const hasHash = typeof hash === "string" && hash !== "";
    if (!hasHash && (next === undefined || next === null)) {
      return { prevHash: GENESIS_HASH, nextSeq: 0, kind: "genesis", mac: macText };
    }
    const start: ChainStart = {
      prevHash: hasHash ? (hash as string) : GENESIS_HASH,
      nextSeq: null,
      kind: "checkpoint",
      mac: macText,
      weftMarked: this.owner.weftMarked(),
      adopted: this.#metaStmt.get(`${this.macKey}.adopted`) !== undefined,
    };
    if (next !== undefined && next !== null) {
      if (
        typeof next !== "string" ||
        !/^(0|[1-9]\d{0,15})$/.test(next) ||
        !Number.isSafeInteger(Number(next))
      ) {
        start.malformed = `its checkpoint next seq ${JSON.stringify(String(next)).slice(0, 40)} is not a seq`;
      } else start.nextSeq = Number(next);
    }
    return start;
  }

  count(): number {
    return this.guarded(() => this.#countStmt.get() as number);
  }

  head(): { seq: number; recordHash: string } | null {
    const { nextSeq, prevHash } = this.guarded(() => this.tip());
    return nextSeq === 0 ? null : { seq: nextSeq - 1, recordHash: prevHash };
  }

  bySeq(seq: number): RawRow | undefined {
    const r = this.guarded(() => this.#bySeqStmt.get(seq) as Row | undefined);
    return r ? this.toRaw(r) : undefined;
  }

  genesis(): string {
    const v = this.guarded(() => this.#metaStmt.get(this.checkpointHashKey) as string | undefined | null);
    return typeof v === "string" && v !== "" ? v : GENESIS_HASH;
  }

  snapshot<T>(fn: () => T): T {
    try {
      return this.db.transaction(fn)();
    } catch (e) {
      throw this.owner.error(e, `read ${this.label}`);
    }
  }

  /** One page of records: `WHERE` filters AND-combined, then order, then offset/limit. */
  protected selectPage(
    table: string,
    where: readonly string[],
    params: Array<string | number | bigint>,
    orderBy: string,
    page: { limit: number | null; offset: number },
    what: string,
  ): RawRow[] {
    let sql = `SELECT ${ROW_COLUMNS} FROM ${table}`;
    if (where.length > 0) sql += ` WHERE ${where.join(" AND ")}`;
    sql += ` ORDER BY ${orderBy}`;
    if (page.limit !== null || page.offset > 0) {
      sql += " LIMIT ? OFFSET ?";
      params.push(page.limit ?? -1, page.offset);
    }
    try {
      return (this.stmt(sql).all(...params) as Row[]).map((r) => this.toRaw(r));
    } catch (e) {
      throw this.owner.error(e, what);
    }
  }

  /** Statements for ad-hoc queries, prepared once per distinct SQL text. */
  readonly #cache = new Map<string, Database.Statement>();
  protected stmt(sql: string): Database.Statement {
    let s = this.#cache.get(sql);
    if (s === undefined) {
      s = this.db.prepare(sql).raw(true).safeIntegers(true);
      this.#cache.set(sql, s);
    }
    return s;
  }
}

export class SqliteActionLog extends SqliteChainLog<ActionColumns> implements ActionLog {
  readonly #insert: Database.Statement;
  readonly #byAction: Database.Statement;

  constructor(owner: SqliteDatabase) {
    super(owner, "actions", "traces", META_CHECKPOINT_HASH, META_CHECKPOINT_NEXT_SEQ, META_CHECKPOINT_MAC, [
      ["action_id", "action_id"],
      ["invoked_at", "invoked_at"],
    ]);
    this.#insert = this.db.prepare(
      "INSERT INTO traces (seq, action_id, prev_hash, record_hash, invoked_at, payload) VALUES (?, ?, ?, ?, ?, ?)",
    );
    this.#byAction = this.db
      .prepare(`SELECT ${ROW_COLUMNS} FROM traces WHERE action_id = ?`)
      .raw(true)
      .safeIntegers(true);
  }

  protected insert(seq: number, prevHash: string, recordHash: string, e: LogEntry<ActionColumns>): void {
    try {
      this.#insert.run(seq, e.columns.actionId, prevHash, recordHash, e.columns.invokedAt, e.text);
    } catch (err) {
      const code = sqliteCode(err);
      if (code === "SQLITE_CONSTRAINT_UNIQUE" && String((err as Error).message).includes("action_id")) {
        throw new DuplicateActionIdError(e.columns.actionId);
      }
      throw err;
    }
  }

  override append(entries: LogEntry<ActionColumns>[], hasher: RecordHasher): Linked[] {
    const seen = new Set<string>();
    for (const e of entries) {
      if (seen.has(e.columns.actionId)) throw new DuplicateActionIdError(e.columns.actionId);
      seen.add(e.columns.actionId);
    }
    return super.append(entries, hasher);
  }

  byActionId(actionId: string): RawRow | undefined {
    const r = this.guarded(() => this.#byAction.get(actionId) as Row | undefined);
    return r ? this.toRaw(r) : undefined;
  }

  query(q: NormalizedTraceQuery): RawRow[] {
    const where: string[] = [];
    const params: Array<string | number | bigint> = [];
    if (q.principalId !== undefined) {
      where.push(`${payloadField("principal_id")} = ?`);
      params.push(q.principalId);
    }
    if (q.capabilityId !== undefined) {
      where.push(`${payloadField("capability_id")} = ?`);
      params.push(q.capabilityId);
    }
    if (q.eventType !== undefined) {
      // The reference defaults a missing event_type to "invoke".
      where.push(`COALESCE(${payloadField("event_type")}, 'invoke') = ?`);
      params.push(q.eventType);
    }
    if (q.reasonCode !== undefined) {
      where.push(`${payloadField("reason_code")} = ?`);
      params.push(q.reasonCode);
    }
    if (q.agentName !== undefined) {
      // Not indexed: agent queries are rare forensic ones, and a new index would be built on the
      // first open of every existing store.
      where.push(`${payloadField("agent_name")} = ?`);
      params.push(q.agentName);
    }
    if (q.outcome !== undefined) {
      where.push(`${payloadField("error")} IS ${q.outcome === "failed" ? "NOT NULL" : "NULL"}`);
    }
    if (q.since !== undefined) {
      where.push("invoked_at >= ?");
      params.push(q.since);
    }
    if (q.until !== undefined) {
      where.push("invoked_at < ?");
      params.push(q.until);
    }
    if (q.traceId !== undefined) {
      where.push(
        "action_id IN (SELECT action_id FROM weft_spans WHERE trace_id = ? AND action_id IS NOT NULL)",
      );
      params.push(q.traceId);
    }
    if (q.decision !== undefined) {
      where.push(`${DECISION_FIELD} = ?`);
      params.push(q.decision);
    }
    if (q.afterSeq !== undefined) {
      where.push("seq > ?");
      params.push(q.afterSeq);
    }
    if (q.beforeSeq !== undefined) {
      where.push("seq < ?");
      params.push(q.beforeSeq);
    }
    const order = q.order === "seq" ? "seq" : q.order === "seq-desc" ? "seq DESC" : "invoked_at, action_id";
    return this.selectPage("traces", where, params, order, q, "query actions");
  }

  /**
   * Prune with the reference's checkpoint semantics, restricted to the seq-ordered prefix of
   * records older than the cutoff, so what remains is always a verifiable suffix.
   */
  prune(cutoffIso: string, hasher: RecordHasher): number {
    return this.owner.transactionImmediate(() => {
      this.merkle?.beforePrune();
      const p = this.#pruneStatements();
      const firstKept = p.firstKept.get(cutoffIso) as number | null;
      const last = (firstKept === null ? p.lastAll.get() : p.lastBefore.get(firstKept)) as
        | [number, string]
        | undefined;
      if (last === undefined) return 0;
      const removed = p.remove.run(last[0]).changes;
      p.putMeta.run(META_CHECKPOINT_HASH, last[1]);
      p.putMeta.run(META_CHECKPOINT_NEXT_SEQ, String(last[0] + 1));
      // The new start, signed: without the secret nobody can move it further (see start.ts).
      p.putMeta.run(META_CHECKPOINT_MAC, startMac(hasher, this.label, last[0] + 1, last[1]));
      p.delMeta.run(`${META_CHECKPOINT_MAC}.adopted`); // everything kept is after a signed start now
      return removed;
    }, "prune actions");
  }

  /** Prune statements, prepared once on first use (read-only stores never need them). */
  #pruneStmts: PruneStatements | undefined;
  #pruneStatements(): PruneStatements {
    if (this.#pruneStmts === undefined) {
      this.#pruneStmts = {
        firstKept: this.db.prepare("SELECT MIN(seq) FROM traces WHERE invoked_at >= ?").pluck(),
        lastAll: this.db.prepare("SELECT seq, record_hash FROM traces ORDER BY seq DESC LIMIT 1").raw(true),
        lastBefore: this.db
          .prepare("SELECT seq, record_hash FROM traces WHERE seq < ? ORDER BY seq DESC LIMIT 1")
          .raw(true),
        remove: this.db.prepare("DELETE FROM traces WHERE seq <= ?"),
        putMeta: this.db.prepare(
          "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        ),
        delMeta: this.db.prepare("DELETE FROM meta WHERE key = ?"),
      };
    }
    return this.#pruneStmts;
  }
}

interface PruneStatements {
  firstKept: Database.Statement;
  lastAll: Database.Statement;
  lastBefore: Database.Statement;
  remove: Database.Statement;
  putMeta: Database.Statement;
  delMeta: Database.Statement;
}

export class SqliteSpanLog extends SqliteChainLog<SpanColumns> implements SpanLog {
  readonly #insert: Database.Statement;

  constructor(owner: SqliteDatabase) {
    super(
      owner,
      "spans",
      "weft_spans",
      META_SPANS_CHECKPOINT_HASH,
      META_SPANS_CHECKPOINT_NEXT_SEQ,
      META_SPANS_CHECKPOINT_MAC,
      [
        ["trace_id", "trace_id"],
        ["span_id", "span_id"],
        ["parent_span_id", "parent_span_id"],
        ["name", "name"],
        // Integer nanos as decimal text; any other storage class shows as itself and mismatches.
        [
          "start_time_unix_nano",
          "CASE typeof(start_time_unix_nano) WHEN 'integer' THEN CAST(start_time_unix_nano AS TEXT) " +
            "ELSE '<' || typeof(start_time_unix_nano) || '>' END",
        ],
        ["action_id", "action_id"],
        ["principal_id", "principal_id"],
      ],
    );
    this.#insert = this.db.prepare(
      "INSERT INTO weft_spans (seq, prev_hash, record_hash, trace_id, span_id, parent_span_id, name, " +
        "start_time_unix_nano, action_id, principal_id, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    );
  }

  protected insert(seq: number, prevHash: string, recordHash: string, e: LogEntry<SpanColumns>): void {
    const c = e.columns;
    this.#insert.run(
      seq,
      prevHash,
      recordHash,
      c.traceId,
      c.spanId,
      c.parentSpanId,
      c.name,
      c.startNs, // decimal text; the column's INTEGER affinity stores it as a 64-bit integer
      c.actionId,
      c.principalId,
      e.text,
    );
  }

  query(q: NormalizedSpanQuery): RawRow[] {
    const where: string[] = [];
    const params: Array<string | number | bigint> = [];
    const eq = (col: string, v: string | undefined) => {
      if (v === undefined) return;
      where.push(`${col} = ?`);
      params.push(v);
    };
    eq("trace_id", q.traceId);
    eq("span_id", q.spanId);
    eq("action_id", q.actionId);
    eq("principal_id", q.principalId);
    eq("name", q.name);
    if (q.since !== undefined) {
      where.push("start_time_unix_nano >= ?");
      params.push(q.since);
    }
    if (q.until !== undefined) {
      where.push("start_time_unix_nano < ?");
      params.push(q.until);
    }
    return this.selectPage("weft_spans", where, params, "start_time_unix_nano, seq", q, "query spans");
  }
}

function cellType(v: unknown): string {
  if (v === null || v === undefined) return "NULL";
  if (typeof v === "bigint" || typeof v === "number") return "a number";
  if (Buffer.isBuffer(v)) return "a blob";
  return typeof v;
}
