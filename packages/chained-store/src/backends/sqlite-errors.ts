// Maps better-sqlite3 failures to the store's typed errors.

import { WeftError } from "@weft/wire";
import {
  NotAStoreError,
  StoreCorruptError,
  StoreIoError,
  StoreLockedError,
  StoreReadonlyError,
} from "../errors.js";

export function sqliteCode(e: unknown): string {
  return typeof e === "object" && e !== null && typeof (e as { code?: unknown }).code === "string"
    ? (e as { code: string }).code
    : "";
}

export function mapSqliteError(e: unknown, path: string, what: string, busyTimeoutMs: number): Error {
  // Typed errors pass through: the store's own, and the wire formats' (a payload with no JSON form).
  if (e instanceof WeftError) return e;
  const code = sqliteCode(e);
  if (code === "SQLITE_BUSY" || code.startsWith("SQLITE_BUSY_") || code === "SQLITE_LOCKED") {
    return new StoreLockedError(path, busyTimeoutMs, { cause: e });
  }
  if (code === "SQLITE_NOTADB")
    return new NotAStoreError(path, "the file is not an SQLite database", { cause: e });
  if (code === "SQLITE_CORRUPT")
    return new StoreCorruptError(path, {}, "the SQLite file is damaged", { cause: e });
  if (code.startsWith("SQLITE_READONLY")) return new StoreReadonlyError(path, what);
  return new StoreIoError(path, what, { cause: e });
}
