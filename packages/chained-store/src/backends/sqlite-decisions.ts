// The `decisions` chain of a SQLite store (`weft_decisions`): captured grant decisions. Appended
// and read in seq order only — no index columns, so every read goes through verified payloads.

import type Database from "better-sqlite3";
import type { DecisionColumns, DecisionLog, LogEntry } from "../log.js";
import {
  META_DECISIONS_CHECKPOINT_HASH,
  META_DECISIONS_CHECKPOINT_MAC,
  META_DECISIONS_CHECKPOINT_NEXT_SEQ,
} from "../meta.js";
import type { SqliteDatabase } from "./sqlite-database.js";
import { SqliteChainLog } from "./sqlite-log.js";

export class SqliteDecisionLog extends SqliteChainLog<DecisionColumns> implements DecisionLog {
  readonly #insert: Database.Statement;

  constructor(owner: SqliteDatabase) {
    super(
      owner,
      "decisions",
      "weft_decisions",
      META_DECISIONS_CHECKPOINT_HASH,
      META_DECISIONS_CHECKPOINT_NEXT_SEQ,
      META_DECISIONS_CHECKPOINT_MAC,
      [],
    );
    this.#insert = this.db.prepare(
      "INSERT INTO weft_decisions (seq, prev_hash, record_hash, payload) VALUES (?, ?, ?, ?)",
    );
  }

  protected insert(seq: number, prevHash: string, recordHash: string, e: LogEntry<DecisionColumns>): void {
    this.#insert.run(seq, prevHash, recordHash, e.text);
  }
}
