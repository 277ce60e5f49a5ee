// openStore: picks the backend from the options, resolves the secret once, and assembles the
// two chains (actions, spans) plus an optional durable revocation store over it.

import { existsSync, type Stats, statSync } from "node:fs";
import { type RevocationStore, resolveSecret } from "@weft/kernel";
import { ATTR_WEFT_ACTION_ID } from "@weft/semconv";
import {
  decisionsPathFor,
  JsonlActionLog,
  JsonlDecisionLog,
  JsonlSpanLog,
  spansPathFor,
} from "./backends/jsonl.js";
import { JsonlWriterLock } from "./backends/jsonl-lock.js";
import { MemoryActionLog, MemoryDecisionLog, MemorySpanLog } from "./backends/memory.js";
import { SqliteDatabase } from "./backends/sqlite-database.js";
import { RecordHasher } from "./chain.js";
import { ActionChainImpl, DecisionChainImpl, SpanChainImpl } from "./chains.js";
import {
  InvalidArgumentError,
  NotAStoreError,
  StoreClosedError,
  StoreIoError,
  StoreReadonlyError,
} from "./errors.js";
import type { ActionLog, DecisionLog, SpanLog } from "./log.js";
import { SqliteRevocationStore } from "./revocations.js";
import { resolveSigningKey, SqliteTransparencyLog } from "./tree/transparency-log.js";
import type {
  ChainedStore,
  ChainName,
  SecretCheck,
  StoreFormat,
  StoreOptions,
  VerifyResult,
} from "./types.js";

export const DEFAULT_BUSY_TIMEOUT_MS = 5000;
export const DEFAULT_MAX_RECORDS = 10_000;

function formatOf(options: StoreOptions): StoreFormat {
  if (options.format) return options.format;
  if (options.path === undefined || options.path === ":memory:") return "memory";
  return options.path.endsWith(".jsonl") ? "jsonl" : "sqlite";
}

/**
 * A store path that exists must be a regular file: a FIFO would block the first read forever, a
 * character device (/dev/zero, /dev/urandom) never ends, /dev/null swallows every append.
 */
function requireRegularFile(path: string): void {
  let st: Stats;
  try {
    st = statSync(path);
  } catch (e) {
    if ((e as { code?: string }).code === "ENOENT") return; // created on first append
    throw new StoreIoError(path, "stat", { cause: e });
  }
  if (st.isFile()) return;
  const kind = st.isDirectory()
    ? "a directory"
    : st.isFIFO()
      ? "a FIFO"
      : st.isSocket()
        ? "a socket"
        : st.isCharacterDevice()
          ? "a character device"
          : st.isBlockDevice()
            ? "a block device"
            : "not a regular file";
  throw new NotAStoreError(path, `it is ${kind}, not a regular file`);
}

/** Opens (creating if needed, unless read-only) a chained store. */
export function openStore(options: StoreOptions = {}): ChainedStore {
  const format = formatOf(options);
  if (format !== "sqlite" && format !== "jsonl" && format !== "memory") {
    throw new InvalidArgumentError(`unknown store format ${JSON.stringify(format)}`);
  }
  if (format !== "memory" && !options.path) throw new InvalidArgumentError(`a ${format} store needs a path`);
  const synchronous = options.synchronous ?? "FULL";
  if (synchronous !== "FULL" && synchronous !== "NORMAL") {
    throw new InvalidArgumentError('synchronous must be "FULL" or "NORMAL"');
  }
  const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  if (!Number.isInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
    throw new InvalidArgumentError("busyTimeoutMs must be a non-negative integer");
  }
  const maxRecords = options.maxRecords ?? DEFAULT_MAX_RECORDS;
  if (!Number.isInteger(maxRecords) || maxRecords <= 0)
    throw new InvalidArgumentError("maxRecords must be a positive integer");
  const readonly = options.readonly ?? false;
  const path = format === "memory" ? ":memory:" : (options.path as string);
  if (format === "jsonl") {
    requireRegularFile(path);
    requireRegularFile(spansPathFor(path));
    requireRegularFile(decisionsPathFor(path));
  } else if (format === "sqlite") requireRegularFile(path);
  // Shared with the kernel's token provider: one dev secret (and one warning) per process.
  const hasher = new RecordHasher(resolveSecret(options.secret));

  let actionLog: ActionLog;
  let spanLog: SpanLog;
  let decisionLog: DecisionLog;
  let sqlite: SqliteDatabase | undefined;
  let transparency: SqliteTransparencyLog | undefined;
  let jsonl:
    | {
        actions: JsonlActionLog;
        spans: JsonlSpanLog;
        decisions: JsonlDecisionLog;
        lock: JsonlWriterLock | undefined;
      }
    | undefined;
  if (format === "sqlite") {
    sqlite = new SqliteDatabase(path, { readonly, synchronous, busyTimeoutMs });
    try {
      sqlite.checkSecret(hasher);
    } catch (e) {
      sqlite.close();
      throw e;
    }
    actionLog = sqlite.actions;
    spanLog = sqlite.spans;
    decisionLog = sqlite.decisions;
    try {
      if (options.transparency !== false)
        transparency = new SqliteTransparencyLog(
          sqlite,
          { actions: sqlite.actions, spans: sqlite.spans, decisions: sqlite.decisions },
          {
            ...options.checkpoint,
            readonly,
            signingKey: readonly ? null : resolveSigningKey(options.signingKey),
          },
        );
    } catch (e) {
      sqlite.close();
      throw e;
    }
  } else if (format === "jsonl") {
    // A store the span mirror alone wrote has only its sidecars: still a store.
    const spansOnly =
      !existsSync(path) && (existsSync(spansPathFor(path)) || existsSync(decisionsPathFor(path)));
    const opts = { readonly, synchronous, spansOnly };
    // One writer per JSONL store (all its files): a second would fork the chains.
    const lock = readonly ? undefined : new JsonlWriterLock(path).acquire();
    try {
      const actions = new JsonlActionLog(path, "actions", opts).load();
      const spans = new JsonlSpanLog(spansPathFor(path), "spans", opts).load();
      const decisions = new JsonlDecisionLog(decisionsPathFor(path), "decisions", opts).load();
      actions.checkSecret(hasher);
      spans.checkSecret(hasher);
      decisions.checkSecret(hasher);
      jsonl = { actions, spans, decisions, lock };
    } catch (e) {
      lock?.release();
      throw e;
    }
    actionLog = jsonl.actions;
    spanLog = jsonl.spans;
    decisionLog = jsonl.decisions;
  } else {
    actionLog = new MemoryActionLog(maxRecords);
    spanLog = new MemorySpanLog(maxRecords);
    decisionLog = new MemoryDecisionLog(maxRecords);
  }

  let closed = false;
  const guard = (what: string) => {
    if (closed) throw new StoreClosedError(path);
    if (readonly && (what === "append" || what === "prune")) throw new StoreReadonlyError(path, what);
  };
  const actions = new ActionChainImpl("actions", actionLog, hasher, path, guard);
  const spans = new SpanChainImpl("spans", spanLog, hasher, path, guard);
  const decisions = new DecisionChainImpl("decisions", decisionLog, hasher, path, guard);
  actions.spanActionIds = (traceId) => {
    const ids = new Set<string>();
    for (const r of spans.query({ traceId })) {
      const id = r.payload.attributes[ATTR_WEFT_ACTION_ID];
      if (typeof id === "string") ids.add(id);
    }
    return ids;
  };
  let revocations: SqliteRevocationStore | undefined;

  return {
    path,
    format,
    actions,
    spans,
    decisions,
    transparency,
    revocations(): RevocationStore {
      guard("read");
      if (revocations) return revocations;
      if (readonly) throw new StoreReadonlyError(path, "open the revocation store");
      const revPath = format === "jsonl" ? `${path.replace(/\.jsonl$/, "")}.revocations.sqlite` : ":memory:";
      revocations = sqlite
        ? new SqliteRevocationStore(sqlite.db, { busyTimeoutMs })
        : new SqliteRevocationStore(revPath, { busyTimeoutMs, synchronous });
      return revocations;
    },
    secretCheck(): SecretCheck {
      guard("read");
      return sqlite ? sqlite.secretFingerprint(hasher) : "unknown";
    },
    verify(chain: ChainName): VerifyResult {
      if (chain === "actions") return actions.verify();
      if (chain === "spans") return spans.verify();
      if (chain === "decisions") return decisions.verify();
      throw new InvalidArgumentError(`unknown chain ${JSON.stringify(chain)}`);
    },
    close(): void {
      if (closed) return;
      closed = true;
      transparency?.close();
      revocations?.close();
      jsonl?.actions.close();
      jsonl?.spans.close();
      jsonl?.decisions.close();
      jsonl?.lock?.release();
      sqlite?.close();
    },
  };
}
