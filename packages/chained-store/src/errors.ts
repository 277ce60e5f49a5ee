// Typed errors of the chained store. Each class carries a stable `code` that callers (the CLI,
// the span processor) switch on; messages name the file and seq/line but never key material.

import { WeftError } from "@weft/kernel";

/** Base class of every error the store raises. */
export class ChainedStoreError extends WeftError {}

/** The file exists but is not a Weft/weaver-kernel store (not SQLite, foreign tables, missing file when read-only). */
export class NotAStoreError extends ChainedStoreError {
  readonly path: string;
  constructor(path: string, reason: string, options?: { cause?: unknown }) {
    super("NOT_A_STORE", `'${path}' is not a valid trace store: ${reason}`, options);
    this.path = path;
  }
}

/** A stored record cannot be read (malformed JSON, missing envelope fields). */
export class StoreCorruptError extends ChainedStoreError {
  readonly path: string;
  /** 1-based line (JSONL) when known. */
  readonly line: number | null;
  /** Stored seq when known (a bigint when it is beyond 2^53, so the message stays exact). */
  readonly seq: number | bigint | null;
  constructor(
    path: string,
    where: { line?: number; seq?: number | bigint },
    reason: string,
    options?: { cause?: unknown },
  ) {
    const at = where.line !== undefined ? `${path}:${where.line}` : `${path} seq ${where.seq ?? "?"}`;
    super("STORE_CORRUPT", `Corrupted record at ${at}: ${reason}`, options);
    this.path = path;
    this.line = where.line ?? null;
    this.seq = where.seq ?? null;
  }
}

/** The last JSONL line is incomplete (a crash cut a write short). Recover with `repairJsonlStore(path)`. */
export class StoreTornTailError extends ChainedStoreError {
  readonly path: string;
  readonly line: number;
  readonly offset: number;
  constructor(path: string, line: number, offset: number) {
    super(
      "STORE_TORN_TAIL",
      `Incomplete last record at ${path}:${line} (byte ${offset}); a write was interrupted. ` +
        "Run repairJsonlStore(path) (CLI: weft audit repair) to move it aside, then reopen.",
    );
    this.path = path;
    this.line = line;
    this.offset = offset;
  }
}

/** The configured secret does not match the one that keyed this store's chain. */
export class WrongSecretError extends ChainedStoreError {
  readonly path: string;
  constructor(path: string, detail: string) {
    super(
      "WRONG_SECRET",
      `The HMAC secret does not match the store '${path}' (${detail}). ` +
        "Set WEFT_SECRET (or pass `secret`) to the secret the store was written with.",
    );
    this.path = path;
  }
}

/** An action trace with this action id is already recorded. */
export class DuplicateActionIdError extends ChainedStoreError {
  readonly actionId: string;
  constructor(actionId: string, options?: { cause?: unknown }) {
    super("DUPLICATE_ACTION_ID", `Cannot record trace: action_id '${actionId}' is already present.`, options);
    this.actionId = actionId;
  }
}

/** Another process held the store's write lock longer than `busyTimeoutMs`. */
export class StoreLockedError extends ChainedStoreError {
  readonly path: string;
  constructor(path: string, timeoutMs: number, options?: { cause?: unknown }, detail?: string) {
    super(
      "STORE_LOCKED",
      detail === undefined
        ? `Store '${path}' stayed locked by another writer for more than ${timeoutMs} ms.`
        : `Store '${path}' is locked: ${detail}.`,
      options,
    );
    this.path = path;
  }
}

/** The store file was deleted or replaced under a running writer: appending would go nowhere. */
export class StoreReplacedError extends ChainedStoreError {
  readonly path: string;
  constructor(path: string, what: "deleted" | "replaced") {
    super(
      "STORE_REPLACED",
      `Store '${path}' was ${what} while open for writing; nothing more is appended to it. ` +
        "Find out who removed the evidence, then reopen the store.",
    );
    this.path = path;
  }
}

/** The store was opened read-only, or closed. */
export class StoreReadonlyError extends ChainedStoreError {
  constructor(path: string, what: string) {
    super("STORE_READONLY", `Store '${path}' is read-only: cannot ${what}.`);
  }
}

export class StoreClosedError extends ChainedStoreError {
  constructor(path: string) {
    super("STORE_CLOSED", `Store '${path}' is closed.`);
  }
}

/** The backend does not support the operation (e.g. prune on JSONL, which the reference never prunes). */
export class UnsupportedOperationError extends ChainedStoreError {
  constructor(message: string) {
    super("STORE_UNSUPPORTED", message);
  }
}

/** Bad arguments: invalid query bounds, a payload that is not JSON, bad options. */
export class InvalidArgumentError extends ChainedStoreError {
  constructor(message: string) {
    super("INVALID_ARGUMENT", message);
  }
}

/** Text given to `parseJsonLossless` is not JSON. */
export class JsonSyntaxError extends ChainedStoreError {
  readonly position: number;
  constructor(message: string, position: number) {
    super("JSON_SYNTAX", `${message} at position ${position}`);
    this.position = position;
  }
}

/** An I/O failure of the underlying file or database that is none of the above. */
export class StoreIoError extends ChainedStoreError {
  constructor(path: string, what: string, options?: { cause?: unknown }) {
    const cause = options?.cause;
    const reason = cause instanceof Error ? `: ${cause.message}` : "";
    super("STORE_IO", `Store '${path}': ${what} failed${reason}`, options);
  }
}

/** A hashing worker died or stopped answering: verify could not finish, so it proves nothing. */
export class VerifyWorkerError extends ChainedStoreError {
  constructor(detail: string, options?: { cause?: unknown }) {
    super("VERIFY_WORKER_FAILED", `Parallel verify failed: ${detail}`, options);
  }
}
