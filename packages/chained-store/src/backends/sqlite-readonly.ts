// Read-only opens that create no file beside the evidence. SQLite in WAL mode creates `-wal` and
// `-shm` next to a database even for a read-only connection (and leaves them behind), and fails
// on read-only media; this build of better-sqlite3 has no URI filenames, so `immutable=1` is not
// available. The choice made here:
//   - a database in rollback-journal mode (how Weft leaves a store it closes last, and how the
//     reference writes) is opened read-only in place: that creates nothing;
//   - a WAL database whose `-wal` and `-shm` already exist (a writer is live, or crashed) is
//     opened read-only in place, sharing them, so it sees every committed record;
//   - anything else (a WAL database without them, read-only media, a hot journal that needs a
//     rollback) is read from a private copy (the database and its `-wal`) in a fresh temporary
//     directory, removed on close. The copy costs one sequential read of the file.

import { closeSync, copyFileSync, existsSync, mkdtempSync, openSync, readSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import Database from "better-sqlite3";

export interface ReadonlyHandle {
  db: Database.Database;
  /** Where the data was read from: in place, or a private copy. */
  mode: "in-place" | "private-copy";
  /** Removes the private copy, if any (after the connection is closed). */
  cleanup(): void;
}

/** Bytes 18 and 19 of the header: 1 = rollback journal, 2 = WAL. */
function isWalHeader(path: string): boolean {
  const fd = openSync(path, "r");
  try {
    const b = Buffer.alloc(2);
    return readSync(fd, b, 0, 2, 18) === 2 && b[0] === 2 && b[1] === 2;
  } finally {
    closeSync(fd);
  }
}

function probe(db: Database.Database): void {
  // Forces SQLite to read the header and schema now, so a failure shows here, not in a query.
  db.prepare("SELECT count(*) FROM sqlite_master").get();
}

export function openReadonly(path: string, timeout: number): ReadonlyHandle {
  const wal = isWalHeader(path);
  const inPlace = !wal || (existsSync(`${path}-wal`) && existsSync(`${path}-shm`));
  if (inPlace && !existsSync(`${path}-journal`)) {
    let db: Database.Database | undefined;
    try {
      db = new Database(path, { readonly: true, fileMustExist: true, timeout });
      probe(db);
      return { db, mode: "in-place", cleanup() {} };
    } catch (e) {
      db?.close();
      // Locked by a writer mid-transaction: a copy taken now could straddle its commit, so the
      // caller gets STORE_LOCKED and retries. Anything else (read-only media, a journal that needs
      // recovery) falls back to a private copy.
      const code = (e as { code?: unknown }).code;
      if (typeof code === "string" && (code.startsWith("SQLITE_BUSY") || code === "SQLITE_LOCKED")) throw e;
    }
  }
  const dir = mkdtempSync(join(tmpdir(), "weft-ro-"));
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  try {
    const copy = join(dir, basename(path));
    copyFileSync(path, copy);
    for (const suffix of ["-wal", "-journal"]) {
      if (existsSync(`${path}${suffix}`)) copyFileSync(`${path}${suffix}`, `${copy}${suffix}`);
    }
    // Not read-only: SQLite may need to recover the copy (apply its WAL, roll back a journal).
    const db = new Database(copy, { fileMustExist: true, timeout });
    probe(db);
    return { db, mode: "private-copy", cleanup };
  } catch (e) {
    cleanup();
    throw e;
  }
}
