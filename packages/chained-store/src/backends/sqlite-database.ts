// SQLite database file (better-sqlite3): opening it, recognising or creating the schema, the
// secret fingerprint and transactions. WAL mode, and the busy timeout makes several processes
// appending to one file queue instead of failing. The two chains live in sqlite-log.ts.

import { existsSync, statSync } from "node:fs";
import Database from "better-sqlite3";
import { CHAIN_VERSION, ChainVerifier, type RecordHasher } from "../chain.js";
import { NotAStoreError, StoreReplacedError, WrongSecretError } from "../errors.js";
import {
  META_CHAIN_VERSION,
  META_SCHEMA,
  META_SECRET_CHECK,
  SCHEMA_VERSION,
  SECRET_CHECK_MESSAGE,
} from "../meta.js";
import { startMac } from "../start.js";
import { TREE_TABLE_NAMES, TREE_TABLES, tempTreeTables } from "../tree/schema.js";
import type { SecretCheck } from "../types.js";
import { SqliteDecisionLog } from "./sqlite-decisions.js";
import { mapSqliteError } from "./sqlite-errors.js";
import { SqliteActionLog, SqliteSpanLog } from "./sqlite-log.js";
import { openReadonly } from "./sqlite-readonly.js";
import {
  KNOWN_TABLES,
  REFERENCE_TABLES,
  SPANS_COLUMNS,
  TEMP_DECISIONS,
  TEMP_SPANS,
  TRACES_COLUMNS,
  WEFT_TABLES,
} from "./sqlite-schema.js";

export interface SqliteOpenOptions {
  readonly: boolean;
  synchronous: "FULL" | "NORMAL";
  busyTimeoutMs: number;
}

/** One database file holding both chains (and, on request, the revocation tables). */
export class SqliteDatabase {
  readonly db: Database.Database;
  readonly actions: SqliteActionLog;
  readonly spans: SqliteSpanLog;
  readonly decisions: SqliteDecisionLog;

  constructor(
    readonly path: string,
    readonly options: SqliteOpenOptions,
  ) {
    if (options.readonly && !existsSync(path)) throw new NotAStoreError(path, "the file does not exist");
    try {
      if (options.readonly) {
        const handle = openReadonly(path, options.busyTimeoutMs);
        this.db = handle.db;
        this.#cleanup = handle.cleanup;
      } else {
        this.db = new Database(path, { timeout: options.busyTimeoutMs });
      }
    } catch (e) {
      throw this.error(e, "open");
    }
    try {
      this.#prepareSchema();
    } catch (e) {
      this.db.close();
      this.#cleanup();
      throw this.error(e, "open");
    }
    this.actions = new SqliteActionLog(this);
    this.spans = new SqliteSpanLog(this);
    this.decisions = new SqliteDecisionLog(this);
    const st = statSync(path);
    this.#identity = { dev: st.dev, ino: st.ino };
  }

  readonly #identity: { dev: number; ino: number };

  /**
   * Before each append: the file at the path must still be the one this connection writes.
   * SQLite keeps writing into a deleted or replaced file's inode, acknowledging appends nobody
   * will ever read.
   */
  checkSameFile(): void {
    let st: ReturnType<typeof statSync>;
    try {
      st = statSync(this.path);
    } catch {
      throw new StoreReplacedError(this.path, "deleted");
    }
    if (st.ino !== this.#identity.ino || st.dev !== this.#identity.dev) {
      throw new StoreReplacedError(this.path, "replaced");
    }
  }

  error(e: unknown, what: string): Error {
    return mapSqliteError(e, this.path, what, this.options.busyTimeoutMs);
  }

  #prepareSchema(): void {
    const db = this.db;
    const tables = (
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[]
    ).filter((t) => !t.startsWith("sqlite_"));
    this.#weftBefore = tables.includes("weft_spans");
    const foreign = tables.filter((t) => !KNOWN_TABLES.has(t));
    if (foreign.length > 0 && !tables.includes("traces")) {
      throw new NotAStoreError(
        this.path,
        `it holds other tables (${foreign.slice(0, 3).join(", ")}) and no 'traces' table`,
      );
    }
    // Neither Weft nor the reference creates triggers or views: in a store they can only be
    // hostile (a trigger rewriting appended rows, a view shadowing a table).
    const active = db
      .prepare("SELECT type, name FROM sqlite_master WHERE type IN ('trigger', 'view') ORDER BY name")
      .all() as Array<{ type: string; name: string }>;
    if (active.length > 0) {
      throw new NotAStoreError(
        this.path,
        `it holds a ${active[0]!.type} ('${active[0]!.name}'), which no trace store has`,
      );
    }
    const hasColumns = (table: string, wanted: readonly string[]): boolean => {
      const cols = (db.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string }>).map(
        (c) => c.name,
      );
      return wanted.every((c) => cols.includes(c));
    };
    if (tables.includes("traces") && !hasColumns("traces", TRACES_COLUMNS)) {
      throw new NotAStoreError(this.path, "its 'traces' table does not have the trace store columns");
    }
    if (tables.includes("weft_spans") && !hasColumns("weft_spans", SPANS_COLUMNS)) {
      throw new NotAStoreError(this.path, "its 'weft_spans' table does not have the span store columns");
    }
    if (tables.includes("meta") && !hasColumns("meta", ["key", "value"])) {
      throw new NotAStoreError(this.path, "its 'meta' table does not have the key and value columns");
    }
    if (this.options.readonly) {
      if (!tables.includes("traces")) throw new NotAStoreError(this.path, "it has no 'traces' table");
      // A reference-written file has no Weft tables; empty temp stand-ins keep one code path.
      if (!tables.includes("meta")) db.exec("CREATE TEMP TABLE meta (key TEXT PRIMARY KEY, value TEXT)");
      if (!tables.includes("weft_spans")) db.exec(TEMP_SPANS);
      if (!tables.includes("weft_decisions")) db.exec(TEMP_DECISIONS);
      const missingTree = TREE_TABLE_NAMES.filter((t) => !tables.includes(t));
      if (missingTree.length > 0) db.exec(tempTreeTables(missingTree));
      return;
    }
    if (db.pragma("journal_mode", { simple: true }) !== "wal") this.#enterWal();
    db.pragma(`synchronous = ${this.options.synchronous}`);
    // Only take the write lock when something is missing, so opening never waits on a writer.
    if (
      tables.includes("weft_spans") &&
      tables.includes("weft_decisions") &&
      tables.includes("meta") &&
      TREE_TABLE_NAMES.every((t) => tables.includes(t)) &&
      this.meta(META_SCHEMA) !== undefined
    )
      return;
    const create = db.transaction(() => {
      db.exec(REFERENCE_TABLES);
      db.exec(WEFT_TABLES);
      db.exec(TREE_TABLES);
      const put = db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)");
      put.run(META_SCHEMA, SCHEMA_VERSION);
      put.run(META_CHAIN_VERSION, CHAIN_VERSION);
    });
    create.immediate();
  }

  /**
   * Switches a store at rest (rollback mode, see close()) to WAL. The switch needs the file to
   * itself: when another connection is reading it right now, this connection stays in rollback
   * mode (correct, only slower) instead of making the application wait; a later open switches.
   */
  #enterWal(): void {
    const db = this.db;
    try {
      db.pragma("busy_timeout = 0");
      db.pragma("journal_mode = WAL");
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      if (typeof code !== "string" || !(code.startsWith("SQLITE_BUSY") || code === "SQLITE_LOCKED")) throw e;
    } finally {
      db.pragma(`busy_timeout = ${this.options.busyTimeoutMs}`);
    }
  }

  meta(key: string): string | undefined {
    const v = this.db.prepare("SELECT value FROM meta WHERE key = ?").pluck().get(key);
    return typeof v === "string" ? v : undefined;
  }

  /** Refuses to write with a secret other than the one the store was written with. */
  /** Compares the secret with the stored fingerprint without writing (read-only opens too). */
  secretFingerprint(hasher: RecordHasher): SecretCheck {
    const stored = this.meta(META_SECRET_CHECK);
    if (stored === undefined) return "unknown";
    return stored === hasher.hashMessage(SECRET_CHECK_MESSAGE) ? "match" : "mismatch";
  }

  checkSecret(hasher: RecordHasher): void {
    if (this.options.readonly) return;
    const expected = hasher.hashMessage(SECRET_CHECK_MESSAGE);
    const stored = this.meta(META_SECRET_CHECK);
    if (stored !== undefined) {
      if (stored !== expected) throw new WrongSecretError(this.path, "secret fingerprint mismatch");
      this.#authenticateStart(hasher);
      return;
    }
    // A store written by the reference has no fingerprint: its newest record must verify.
    for (const log of [this.actions, this.spans, this.decisions]) {
      const head = log.lastRow();
      if (head === undefined) continue;
      const v = new ChainVerifier(hasher, head.prevHash);
      if (!v.step(head.seq, head.prevHash, head.recordHash, { text: head.text })) {
        throw new WrongSecretError(this.path, `the newest ${log.label} record's hash does not match`);
      }
    }
    this.db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)").run(META_SECRET_CHECK, expected);
    this.#authenticateStart(hasher);
  }

  /**
   * Signs a start that carries no MAC yet, so a later rewrite of the checkpoint (records deleted
   * from the head) fails verify even in a store that was never pruned. Signing genesis vouches for
   * nothing new: record 0's own HMAC already binds seq 0 to the zero hash. An unsigned checkpoint
   * (a store the reference pruned) is adopted only on Weft's first write to the file, and marked
   * so verify keeps warning that what came before it is unproven; in a store Weft had already
   * written, an unsigned checkpoint is tampering and is left for verify to report.
   */
  #authenticateStart(hasher: RecordHasher): void {
    const put = this.db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)");
    for (const log of [this.actions, this.spans, this.decisions]) {
      const start = log.start();
      if (start.mac !== undefined || start.malformed !== undefined) continue;
      if (start.kind === "genesis") {
        put.run(log.macKey, startMac(hasher, log.label, 0, start.prevHash));
      } else if (start.kind === "checkpoint" && start.nextSeq !== null && !this.#weftBefore) {
        put.run(log.macKey, startMac(hasher, log.label, start.nextSeq, start.prevHash));
        put.run(`${log.macKey}.adopted`, "1");
      }
    }
  }

  /** Whether Weft's own table existed before this open (set by #prepareSchema). */
  #weftBefore = false;

  /** Weft has written to the file: its spans table is in the main schema, or a `weft.*` meta key. */
  weftMarked(): boolean {
    const table = this.db
      .prepare("SELECT 1 FROM main.sqlite_master WHERE type = 'table' AND name = 'weft_spans'")
      .pluck()
      .get();
    if (table !== undefined) return true;
    return this.db.prepare("SELECT 1 FROM meta WHERE key LIKE 'weft.%' LIMIT 1").pluck().get() !== undefined;
  }

  transactionImmediate<T>(fn: () => T, what: string): T {
    try {
      return this.db.transaction(fn).immediate();
    } catch (e) {
      throw this.error(e, what);
    }
  }

  /** Removes a read-only private copy (see sqlite-readonly.ts). */
  #cleanup: () => void = () => {};

  close(): void {
    if (!this.db.open) return;
    if (!this.options.readonly) {
      // Leave the file in rollback-journal mode when this is the last connection, so read-only
      // opens later (verify, list, … on evidence) create no -wal/-shm beside it. With other
      // connections open the switch fails harmlessly and the last one to close makes it.
      try {
        this.db.pragma("busy_timeout = 0"); // never wait at close for another connection
        this.db.pragma("journal_mode = DELETE");
      } catch {
        // busy: another connection still has the database open
      }
    }
    this.db.close();
    this.#cleanup();
  }
}
