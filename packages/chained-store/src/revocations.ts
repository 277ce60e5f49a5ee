// Durable RevocationStore in the reference's SQLite layout (`revoked`, `principal_tokens`,
// `token_expiry`). Revoked tokens stay revoked across restarts; the expiry sweep only forgets
// tokens whose expiry has passed, so it can never un-revoke a live token.

import type { RevocationStore } from "@weft/kernel";
import Database from "better-sqlite3";
import { mapSqliteError } from "./backends/sqlite-errors.js";
import { REVOCATION_TABLES } from "./backends/sqlite-schema.js";
import { InvalidArgumentError } from "./errors.js";
import { toPythonIsoUtc } from "./time.js";

/**
 * An open better-sqlite3 `Database` (for example a store's own connection), typed only by what this
 * signature needs, so the published declarations compile without `@types/better-sqlite3`.
 */
export interface SqliteConnection {
  readonly name: string;
  readonly open: boolean;
  prepare(source: string): unknown;
}

function isConnection(value: unknown): value is Database.Database {
  const v = value as Partial<Record<"prepare" | "exec" | "transaction", unknown>> | null;
  return (
    typeof v === "object" &&
    v !== null &&
    typeof v.prepare === "function" &&
    typeof v.exec === "function" &&
    typeof v.transaction === "function"
  );
}

export class SqliteRevocationStore implements RevocationStore {
  readonly #db: Database.Database;
  readonly #ownsDb: boolean;
  readonly #isRevoked: Database.Statement;
  readonly #revoke: Database.Statement;
  readonly #trackPrincipal: Database.Statement;
  readonly #trackExpiry: Database.Statement;
  readonly #tokensOf: Database.Statement;
  readonly #forgetPrincipal: Database.Statement;
  readonly #expired: Database.Statement;
  readonly #size: Database.Statement;
  readonly #sweep: Database.Transaction<(nowIso: string) => number>;
  readonly #revokeAll: Database.Transaction<(principalId: string) => number>;

  /** `target`: a file path (opened and owned), or an open better-sqlite3 handle (shared with a store). */
  constructor(
    target: string | SqliteConnection,
    private readonly options: { busyTimeoutMs?: number; synchronous?: "FULL" | "NORMAL" } = {},
  ) {
    if (typeof target !== "string" && !isConnection(target)) {
      throw new InvalidArgumentError(
        "SqliteRevocationStore needs a file path or an open better-sqlite3 Database",
      );
    }
    const path = typeof target === "string" ? target : target.name;
    try {
      if (typeof target === "string") {
        this.#db = new Database(target, { timeout: options.busyTimeoutMs ?? 5000 });
        this.#db.pragma("journal_mode = WAL");
        this.#db.pragma(`synchronous = ${options.synchronous ?? "FULL"}`);
        this.#ownsDb = true;
      } else {
        this.#db = target;
        this.#ownsDb = false;
      }
      const db = this.#db;
      db.exec(REVOCATION_TABLES);
      this.#isRevoked = db.prepare("SELECT 1 FROM revoked WHERE token_id = ?").pluck();
      this.#revoke = db.prepare("INSERT OR IGNORE INTO revoked (token_id) VALUES (?)");
      this.#trackPrincipal = db.prepare(
        "INSERT OR IGNORE INTO principal_tokens (principal_id, token_id) VALUES (?, ?)",
      );
      this.#trackExpiry = db.prepare(
        "INSERT INTO token_expiry (token_id, expires_at) VALUES (?, ?) " +
          "ON CONFLICT(token_id) DO UPDATE SET expires_at = excluded.expires_at",
      );
      this.#tokensOf = db.prepare("SELECT token_id FROM principal_tokens WHERE principal_id = ?").pluck();
      this.#forgetPrincipal = db.prepare("DELETE FROM principal_tokens WHERE principal_id = ?");
      this.#expired = db
        .prepare("SELECT token_id FROM token_expiry WHERE expires_at <= ? ORDER BY token_id")
        .pluck();
      this.#size = db.prepare("SELECT COUNT(*) FROM revoked").pluck();
      const delRevoked = db.prepare("DELETE FROM revoked WHERE token_id = ?");
      const delPrincipal = db.prepare("DELETE FROM principal_tokens WHERE token_id = ?");
      const delExpiry = db.prepare("DELETE FROM token_expiry WHERE token_id = ?");
      this.#sweep = db.transaction((nowIso: string) => {
        const ids = this.#expired.all(nowIso) as string[];
        for (const id of ids) {
          delRevoked.run(id);
          delPrincipal.run(id);
          delExpiry.run(id);
        }
        return ids.length;
      });
      this.#revokeAll = db.transaction((principalId: string) => {
        let n = 0;
        for (const id of this.#tokensOf.all(principalId) as string[]) n += this.#revoke.run(id).changes;
        this.#forgetPrincipal.run(principalId);
        return n;
      });
    } catch (e) {
      throw mapSqliteError(e, path, "open revocation store", options.busyTimeoutMs ?? 5000);
    }
  }

  #wrap<T>(what: string, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      throw mapSqliteError(e, this.#db.name, what, this.options.busyTimeoutMs ?? 5000);
    }
  }

  isRevoked(tokenId: string): boolean {
    return this.#wrap("read revocations", () => this.#isRevoked.get(tokenId) !== undefined);
  }

  revoke(tokenId: string): void {
    this.#wrap("revoke", () => this.#revoke.run(tokenId));
  }

  track(principalId: string, tokenId: string, expiresAt: string): void {
    const iso = toPythonIsoUtc(expiresAt, "expiresAt");
    this.#wrap("track token", () =>
      this.#db.transaction(() => {
        this.#trackPrincipal.run(principalId, tokenId);
        this.#trackExpiry.run(tokenId, iso);
      })(),
    );
  }

  revokePrincipal(principalId: string): number {
    return this.#wrap("revoke principal", () => this.#revokeAll.immediate(principalId));
  }

  sweepExpired(now: Date = new Date()): number {
    const iso = toPythonIsoUtc(now, "now");
    return this.#wrap("sweep revocations", () => this.#sweep.immediate(iso));
  }

  size(): number {
    return this.#wrap("read revocations", () => this.#size.get() as number);
  }

  close(): void {
    if (this.#ownsDb && this.#db.open) this.#db.close();
  }
}
