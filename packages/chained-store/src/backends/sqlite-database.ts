// SQLite database file (better-sqlite3): opening it, recognising or creating the schema, the
// secret fingerprint and transactions. WAL mode, and the busy timeout makes several processes
// appending to one file queue instead of failing. The two chains live in sqlite-log.ts.

import { existsSync } from "node:fs";
import Database from "better-sqlite3";
import { CHAIN_VERSION, ChainVerifier, type RecordHasher } from "../chain.js";
import { NotAStoreError, WrongSecretError } from "../errors.js";
import {
  META_CHAIN_VERSION,
  META_SCHEMA,
  META_SECRET_CHECK,
  SCHEMA_VERSION,
  SECRET_CHECK_MESSAGE,
} from "../meta.js";
import { TREE_TABLE_NAMES, TREE_TABLES, tempTreeTables } from "../tree/schema.js";
import type { SecretCheck } from "../types.js";
import { SqliteDecisionLog } from "./sqlite-decisions.js";
import { mapSqliteError } from "./sqlite-errors.js";
import { SqliteActionLog, SqliteSpanLog } from "./sqlite-log.js";
import {
  KNOWN_TABLES,
  REFERENCE_TABLES,
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
      this.db = new Database(path, {
        readonly: options.readonly,
        timeout: options.busyTimeoutMs,
        fileMustExist: options.readonly,
      });
    } catch (e) {
      throw this.error(e, "open");
    }
    try {
      this.#prepareSchema();
    } catch (e) {
      this.db.close();
      throw this.error(e, "open");
    }
    this.actions = new SqliteActionLog(this);
    this.spans = new SqliteSpanLog(this);
    this.decisions = new SqliteDecisionLog(this);
  }

  error(e: unknown, what: string): Error {
    return mapSqliteError(e, this.path, what, this.options.busyTimeoutMs);
  }

  #prepareSchema(): void {
    const db = this.db;
    const tables = (
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[]
    ).filter((t) => !t.startsWith("sqlite_"));
    const foreign = tables.filter((t) => !KNOWN_TABLES.has(t));
    if (foreign.length > 0 && !tables.includes("traces")) {
      throw new NotAStoreError(
        this.path,
        `it holds other tables (${foreign.slice(0, 3).join(", ")}) and no 'traces' table`,
      );
    }
    if (tables.includes("traces")) {
      const cols = (db.prepare("PRAGMA table_info(traces)").all() as Array<{ name: string }>).map(
        (c) => c.name,
      );
      if (TRACES_COLUMNS.some((c) => !cols.includes(c))) {
        throw new NotAStoreError(this.path, "its 'traces' table does not have the trace store columns");
      }
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
    if (db.pragma("journal_mode", { simple: true }) !== "wal") db.pragma("journal_mode = WAL");
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
  }

  transactionImmediate<T>(fn: () => T, what: string): T {
    try {
      return this.db.transaction(fn).immediate();
    } catch (e) {
      throw this.error(e, what);
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
