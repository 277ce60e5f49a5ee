// The store's transparency log: one Merkle tree per chain, checkpoint publication (every N
// records inside the append transaction, every T ms on an unref'd timer, and on close), proofs
// and receipts. Failures of the timer path are counted and reported once, never thrown into the
// application (DESIGN 13). Signing keys are read once at open and never logged.

import { randomBytes } from "node:crypto";
import { channel } from "node:diagnostics_channel";
import { lstatSync, readFileSync } from "node:fs";
import type Database from "better-sqlite3";
import type { SqliteDatabase } from "../backends/sqlite-database.js";
import type { MerkleHooks } from "../backends/sqlite-log.js";
import { storedMessage } from "../chain.js";
import { InvalidArgumentError } from "../errors.js";
import type { RawRow } from "../log.js";
import { META_STORE_ID } from "../meta.js";
import { formatCheckpoint, parseCheckpoint } from "../transparency/checkpoint.js";
import { TransparencyError } from "../transparency/errors.js";
import { CompactRange, leafHash, verifyInclusion } from "../transparency/merkle.js";
import {
  type NoteSignerKey,
  type NoteVerifierKey,
  parseNote,
  parseSignerKey,
  parseVerifierKey,
  signNote,
} from "../transparency/note.js";
import { verifyCheckpointNote } from "../transparency/receipt.js";
import { formatTlogProof } from "../transparency/tlog-proof.js";
import type {
  ChainName,
  CheckpointEvent,
  CheckpointOptions,
  StoredCheckpoint,
  TransparencyLog,
  TransparencyStats,
  TreeVerifyOptions,
  TreeVerifyResult,
} from "../types.js";
import { ChainTree, DEFAULT_MERKLE_BATCH } from "./chain-tree.js";
import { WitnessClient, type WitnessStats } from "./witness.js";

/** Defaults chosen from test/bench/transparency (see docs/integrity.md §Cadence). */
export const DEFAULT_CHECKPOINT_EVERY = 4096;
export const DEFAULT_CHECKPOINT_INTERVAL_MS = 10_000;
/** diagnostics_channel on which every published checkpoint is announced (after commit). */
export const CHECKPOINT_CHANNEL = "weft:store:checkpoint";

const checkpointChannel = channel(CHECKPOINT_CHANNEL);

/** The compact range of [0, size) read from the tiles: one perfect subtree per set bit of size. */
function compactRangeFromTiles(tree: ChainTree, size: number): Buffer[] {
  const out: Buffer[] = [];
  let begin = 0;
  for (let level = 62; level >= 0; level--) {
    const span = 2 ** level;
    if (size - begin >= span) {
      out.push(Buffer.from(tree.node(level, begin / span)));
      begin += span;
    }
  }
  return out;
}

/** Resolves `signingKey` (key text or a file path) or WEFT_SIGNING_KEY (a file path). */
export function resolveSigningKey(option: string | undefined): NoteSignerKey | null {
  const source = option ?? process.env.WEFT_SIGNING_KEY;
  if (source === undefined || source === "") return null;
  if (source.startsWith("PRIVATE+KEY+")) return parseSignerKey(source);
  const what = option === undefined ? "WEFT_SIGNING_KEY" : "signingKey";
  let text: string;
  try {
    const st = lstatSync(source);
    if (!st.isFile()) throw new InvalidArgumentError(`${what} must name a regular file`);
    if (st.size > 4096) throw new InvalidArgumentError(`${what} file is too large to be a signing key`);
    text = readFileSync(source, "utf8");
  } catch (e) {
    if (e instanceof InvalidArgumentError) throw e;
    throw new InvalidArgumentError(
      `${what} file cannot be read (${(e as NodeJS.ErrnoException).code ?? "error"})`,
    );
  }
  try {
    return parseSignerKey(text);
  } catch (e) {
    // Never echo the file: it is a secret even when malformed.
    throw new InvalidArgumentError(`${what} file does not hold a signing key: ${(e as Error).message}`);
  }
}

/** What the transparency log needs of a chain's backend log. */
export interface TreeChainLog {
  bySeq(seq: number): RawRow | undefined;
  rows(): IterableIterator<RawRow>;
  head(): { seq: number; recordHash: string } | null;
  merkle: MerkleHooks | undefined;
}

interface ChainState {
  readonly name: ChainName;
  readonly tree: ChainTree;
  readonly log: TreeChainLog;
  /** Events of checkpoints published inside the running transaction, sent after commit. */
  queued: CheckpointEvent[];
  lastSize: number;
  firstPendingSeq: number | null;
}

export class SqliteTransparencyLog implements TransparencyLog {
  readonly #chains = new Map<ChainName, ChainState>();
  readonly #signer: NoteSignerKey | null;
  readonly #every: number;
  readonly #origin: (chain: ChainName) => string;
  readonly #onCheckpoint: ((e: CheckpointEvent) => void) | undefined;
  readonly #timer: NodeJS.Timeout | undefined;
  readonly #db: Database.Database;
  #storeId: string | undefined;
  #warned = false;
  readonly #stats = { checkpointsPublished: 0, publishFailures: 0, lastError: null as string | null };
  readonly #witnesses: WitnessClient | undefined;
  #witnessQueue: Promise<void> = Promise.resolve();

  constructor(
    private readonly sqlite: SqliteDatabase,
    logs: Record<ChainName, TreeChainLog>,
    options: CheckpointOptions & { readonly: boolean; signingKey: NoteSignerKey | null },
  ) {
    this.#db = sqlite.db;
    this.#signer = options.signingKey;
    this.#every = options.everyRecords ?? DEFAULT_CHECKPOINT_EVERY;
    if (!Number.isSafeInteger(this.#every) || this.#every < 1)
      throw new InvalidArgumentError("checkpoint.everyRecords must be a positive integer");
    const batch = options.merkleBatchSize ?? DEFAULT_MERKLE_BATCH;
    if (!Number.isSafeInteger(batch) || batch < 1)
      throw new InvalidArgumentError("checkpoint.merkleBatchSize must be a positive integer");
    const origin = options.origin;
    if (origin !== undefined && (typeof origin !== "string" || origin === "" || /\s/.test(origin))) {
      throw new InvalidArgumentError("checkpoint.origin must be a non-empty string without whitespace");
    }
    this.#origin = (chain) => (origin !== undefined ? `${origin}/${chain}` : `weft/${this.storeId}/${chain}`);
    this.#onCheckpoint = options.onCheckpoint;
    if (options.witnesses && options.witnesses.length > 0 && !options.readonly) {
      this.#witnesses = new WitnessClient(options.witnesses, {
        onAlarm: (m) => this.#report(`SPLIT VIEW ALARM: ${m}`, true),
      });
    }
    for (const name of ["actions", "spans", "decisions"] as const) {
      const log = logs[name];
      const source = {
        bySeq: (seq: number) => log.bySeq(seq),
        nextSeq: () => {
          const h = log.head();
          return h === null ? 0 : h.seq + 1;
        },
      };
      const tree = new ChainTree(this.#db, name, source, { batchSize: batch, readonly: options.readonly });
      const state: ChainState = { name, tree, log, queued: [], lastSize: -1, firstPendingSeq: null };
      this.#chains.set(name, state);
      if (!options.readonly) log.merkle = this.#hooks(state);
    }
    const interval = options.intervalMs ?? DEFAULT_CHECKPOINT_INTERVAL_MS;
    if (!Number.isSafeInteger(interval) || interval < 0)
      throw new InvalidArgumentError("checkpoint.intervalMs must be a non-negative integer");
    if (!options.readonly && this.#signer && interval > 0) {
      this.#timer = setInterval(() => this.#tick(), interval);
      this.#timer.unref();
    }
  }

  #hooks(state: ChainState): MerkleHooks {
    return {
      appended: (firstSeq, leaves) => {
        state.firstPendingSeq ??= firstSeq;
        state.tree.noteAppended(firstSeq, leaves);
        if (this.#signer) {
          if (state.lastSize < 0) state.lastSize = state.tree.latestCheckpoint()?.size ?? 0;
          if (firstSeq + leaves.length - state.lastSize >= this.#every) this.#publishIn(state);
        }
      },
      committed: () => {
        state.firstPendingSeq = null;
        this.#emit(state);
      },
      rolledBack: () => {
        if (state.firstPendingSeq !== null) state.tree.discardPending(state.firstPendingSeq);
        state.firstPendingSeq = null;
        state.queued = [];
        state.lastSize = -1;
      },
      beforePrune: () => {
        state.tree.integrate();
      },
    };
  }

  get storeId(): string {
    if (this.#storeId !== undefined) return this.#storeId;
    let id = this.sqlite.meta(META_STORE_ID);
    if (id === undefined && !this.sqlite.options.readonly) {
      this.#db
        .prepare("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)")
        .run(META_STORE_ID, randomBytes(16).toString("hex"));
      id = this.sqlite.meta(META_STORE_ID);
    }
    this.#storeId = id ?? "unidentified";
    return this.#storeId;
  }

  get signer(): { name: string; vkey: string } | null {
    return this.#signer ? { name: this.#signer.name, vkey: this.#signer.verifier.vkey } : null;
  }

  origin(chain: ChainName): string {
    return this.#origin(chain);
  }

  #state(chain: ChainName): ChainState {
    const s = this.#chains.get(chain);
    if (!s) throw new InvalidArgumentError(`unknown chain ${JSON.stringify(chain)}`);
    return s;
  }

  #tx<T>(fn: () => T, what: string): T {
    return this.sqlite.transactionImmediate(fn, what);
  }

  treeSize(chain: ChainName): number {
    return this.#state(chain).tree.size();
  }

  root(chain: ChainName): Buffer {
    return this.#state(chain).tree.root();
  }

  unavailable(chain: ChainName): string | null {
    const t = this.#state(chain).tree;
    t.size();
    return t.unavailable;
  }

  integrate(chain?: ChainName): void {
    for (const s of this.#selected(chain)) this.#tx(() => s.tree.integrate(), `integrate the ${s.name} tree`);
  }

  #selected(chain?: ChainName): ChainState[] {
    return chain === undefined ? [...this.#chains.values()] : [this.#state(chain)];
  }

  /** Signs the current tree of each chain that grew since its last checkpoint. */
  publish(chain?: ChainName): StoredCheckpoint[] {
    if (!this.#signer)
      throw new TransparencyError(
        "TREE_UNAVAILABLE",
        "no signing key configured (signingKey option or WEFT_SIGNING_KEY)",
      );
    const out: StoredCheckpoint[] = [];
    for (const s of this.#selected(chain)) {
      const cp = this.#tx(() => this.#publishIn(s), `publish a ${s.name} checkpoint`);
      this.#emit(s);
      if (cp) out.push(cp);
    }
    return out;
  }

  #publishIn(state: ChainState): StoredCheckpoint | undefined {
    const signer = this.#signer as NoteSignerKey;
    const size = state.tree.integrate();
    if (state.tree.unavailable !== null) return undefined;
    const latest = state.tree.latestCheckpoint();
    if (latest && latest.size >= size) {
      state.lastSize = latest.size;
      return undefined;
    }
    if (size === 0) return undefined;
    const root = state.tree.root();
    const origin = this.#origin(state.name);
    const note = signNote(formatCheckpoint({ origin, size, root }), signer);
    const createdAt = new Date().toISOString();
    state.tree.putCheckpoint(size, root, note, createdAt);
    // Key history: the first checkpoint a key signs records it (rotation is visible to verify).
    const keys = this.logKeys(state.name);
    if (keys.at(-1)?.vkey !== signer.verifier.vkey) {
      this.#db
        .prepare(
          "INSERT OR IGNORE INTO weft_log_keys (chain, from_size, vkey, created_at) VALUES (?, ?, ?, ?)",
        )
        .run(state.name, size, signer.verifier.vkey, createdAt);
    }
    state.lastSize = size;
    state.queued.push({
      chain: state.name,
      origin,
      size,
      rootBase64: root.toString("base64"),
      note,
      keyName: signer.name,
      createdAt,
    });
    return { chain: state.name, size, root, note, timestamp: null, createdAt };
  }

  #emit(state: ChainState): void {
    const events = state.queued;
    state.queued = [];
    for (const e of events) {
      this.#stats.checkpointsPublished++;
      if (checkpointChannel.hasSubscribers) checkpointChannel.publish(e);
      try {
        this.#onCheckpoint?.(e);
      } catch (err) {
        this.#report(`onCheckpoint threw: ${(err as Error).message}`);
      }
    }
    const client = this.#witnesses;
    if (client && events.length > 0) {
      // Off the append path: one submission at a time, failures counted, never thrown.
      this.#witnessQueue = this.#witnessQueue.then(async () => {
        if (!this.sqlite.db.open) return;
        try {
          const outcomes = await client.submit(this, state.name);
          for (const o of outcomes) if (!o.ok) this.#report(`witness ${o.witness}: ${o.detail}`);
        } catch (err) {
          this.#report(`witness submission failed: ${(err as Error).message}`);
        }
      });
    }
  }

  /** Resolves once every queued witness submission finished (tests, orderly shutdown). */
  witnessed(): Promise<void> {
    return this.#witnessQueue;
  }

  witnessStats(): WitnessStats | null {
    return this.#witnesses?.stats() ?? null;
  }

  #tick(): void {
    for (const s of this.#chains.values()) {
      try {
        this.#tx(() => this.#publishIn(s), `publish a ${s.name} checkpoint`);
        this.#emit(s);
      } catch (e) {
        s.queued = [];
        this.#stats.publishFailures++;
        this.#report(
          `checkpoint publication failed (${(e as { code?: string }).code ?? "error"}); will retry`,
        );
      }
    }
  }

  #report(message: string, always = false): void {
    this.#stats.lastError = message;
    if (always) {
      process.emitWarning(message, { code: "WEFT_SPLIT_VIEW" });
      return;
    }
    if (this.#warned) return;
    this.#warned = true;
    process.emitWarning(message, { code: "WEFT_CHECKPOINT" });
  }

  stats(): TransparencyStats {
    return { ...this.#stats };
  }

  /** Keys that signed this chain's checkpoints, in order of first use. */
  logKeys(chain: ChainName): Array<{ fromSize: number; vkey: string; createdAt: string }> {
    this.#state(chain);
    const rows = this.#db
      .prepare(
        "SELECT from_size, vkey, created_at FROM weft_log_keys WHERE chain = ? ORDER BY from_size, created_at",
      )
      .raw(true)
      .all(chain) as Array<[number, string, string]>;
    return rows.map((r) => ({ fromSize: r[0], vkey: r[1], createdAt: r[2] }));
  }

  /**
   * Recomputes the chain's tree from its records (leaf = canonical message) and checks every
   * stored checkpoint against it: signature (under `keys`, else the keys the store recorded —
   * not independent evidence), origin, size and root; then the stored tree state; then, with
   * `against`, that an externally kept checkpoint is a prefix of this tree. Constant memory.
   */
  verify(chain: ChainName, options: TreeVerifyOptions = {}): TreeVerifyResult {
    const s = this.#state(chain);
    const problems: string[] = [];
    const cps = s.tree.checkpoints();
    const external = options.against
      ? verifyCheckpointNote(options.against.note, { logKeys: options.against.keys })
      : undefined;
    const recorded = this.logKeys(chain).map((k) => ({
      fromSize: k.fromSize,
      key: parseVerifierKey(k.vkey),
    }));
    const independent = options.keys !== undefined && options.keys.length > 0;
    const keyFor = (size: number): NoteVerifierKey[] => {
      if (independent) return [...(options.keys as NoteVerifierKey[])];
      const k = recorded.filter((r) => r.fromSize <= size).at(-1);
      return k ? [k.key] : [];
    };
    let origin: string | undefined;
    for (const cp of cps) {
      try {
        const v = verifyCheckpointNote(cp.note, { logKeys: keyFor(cp.size) });
        if (v.checkpoint.size !== cp.size || !v.checkpoint.root.equals(cp.root)) {
          problems.push(`checkpoint ${cp.size}: its signed body does not match its stored size/root`);
        }
        if (origin !== undefined && v.checkpoint.origin !== origin)
          problems.push(`checkpoint ${cp.size}: origin changed to ${v.checkpoint.origin}`);
        origin ??= v.checkpoint.origin;
      } catch (e) {
        problems.push(`checkpoint ${cp.size}: ${(e as Error).message}`);
      }
    }
    // The sizes at which a recomputed root must match something stored or external.
    const wanted = new Map<number, Array<{ what: string; root: Buffer }>>();
    const want = (size: number, what: string, root: Buffer) => {
      const list = wanted.get(size) ?? [];
      list.push({ what, root });
      wanted.set(size, list);
    };
    for (const cp of cps) want(cp.size, `checkpoint ${cp.size}`, cp.root);
    const state = this.#db
      .prepare("SELECT size, root FROM weft_tree_state WHERE chain = ?")
      .raw(true)
      .get(chain) as [number, Buffer] | undefined;
    if (state) want(state[0], "the stored tree state", state[1]);
    if (external) want(external.checkpoint.size, "the external checkpoint", external.checkpoint.root);

    // Leaves from the records; a pruned prefix is taken from the tiles (see docs/integrity.md).
    const it = s.log.rows();
    const first = it.next();
    it.return?.(undefined); // release the statement before streaming again
    let range = new CompactRange();
    let rows = 0;
    const check = () => {
      const list = wanted.get(range.size);
      if (!list) return;
      const root = range.root();
      for (const w of list)
        if (!w.root.equals(root))
          problems.push(
            `${w.what} (size ${range.size}): root does not match the records (rewritten, reordered or replaced)`,
          );
      wanted.delete(range.size);
    };
    check();
    if (!first.done && first.value.seq > 0) {
      try {
        const hashes = compactRangeFromTiles(s.tree, first.value.seq);
        range = new CompactRange(first.value.seq, hashes);
      } catch (e) {
        problems.push(
          `records below ${first.value.seq} are pruned and their tiles are unreadable: ${(e as Error).message}`,
        );
      }
    }
    for (const row of s.log.rows()) {
      if (row.seq !== range.size) {
        problems.push(`record ${row.seq} is out of place (expected ${range.size})`);
        break;
      }
      range.append(leafHash(storedMessage(row.seq, row.prevHash, row.text)));
      rows++;
      check();
    }
    for (const [size, list] of wanted) {
      for (const w of list) {
        problems.push(
          size > range.size
            ? `${w.what} covers ${size} records but the chain has ${range.size}: records were removed from the end (truncation)`
            : `${w.what} (size ${size}) was not reached`,
        );
      }
    }
    const ok = problems.length === 0;
    const detail = ok
      ? `Tree of ${range.size} record(s) matches ${cps.length} checkpoint(s)${external ? " and the external checkpoint" : ""}${cps.length > 0 ? (independent ? " (signatures under the given key)" : " (signatures under the store's recorded key; pass --key for an independent check)") : ""}.`
      : (problems[0] as string);
    return {
      ok,
      treeSize: range.size,
      recordsHashed: rows,
      checkpointsChecked: cps.length,
      problems,
      detail,
    };
  }

  checkpoints(chain: ChainName): StoredCheckpoint[] {
    return this.#state(chain).tree.checkpoints();
  }

  latestCheckpoint(chain: ChainName): StoredCheckpoint | undefined {
    return this.#state(chain).tree.latestCheckpoint();
  }

  checkpointAt(chain: ChainName, size: number): StoredCheckpoint | undefined {
    return this.#state(chain).tree.checkpointAt(size);
  }

  rootAt(chain: ChainName, size: number): Buffer {
    return this.#state(chain).tree.rootAt(size);
  }

  inclusionProof(chain: ChainName, index: number, size: number): Buffer[] {
    return this.#state(chain).tree.inclusionProof(index, size);
  }

  consistencyProof(chain: ChainName, size1: number, size2: number): Buffer[] {
    return this.#state(chain).tree.consistencyProof(size1, size2);
  }

  /**
   * A tlog-proof receipt for record `seq` against the latest stored checkpoint covering it (or
   * the one of `checkpointSize`). The proof is checked against the checkpoint's root before it
   * is returned, so tampered tiles or rows never leave as a receipt.
   */
  receipt(chain: ChainName, seq: number, options: { checkpointSize?: number } = {}): string {
    const s = this.#state(chain);
    const cp =
      options.checkpointSize !== undefined
        ? s.tree.checkpointAt(options.checkpointSize)
        : s.tree.latestCheckpoint();
    if (!cp) {
      throw new TransparencyError(
        "TREE_UNAVAILABLE",
        options.checkpointSize !== undefined
          ? `no ${chain} checkpoint of size ${options.checkpointSize}`
          : `no ${chain} checkpoint yet (publish one with a signing key)`,
      );
    }
    if (seq >= cp.size) {
      throw new TransparencyError(
        "TREE_UNAVAILABLE",
        `record ${seq} is not covered by the latest ${chain} checkpoint (size ${cp.size}) yet`,
      );
    }
    const row = s.log.bySeq(seq);
    if (!row)
      throw new TransparencyError(
        "TREE_UNAVAILABLE",
        `record ${seq} is not in the ${chain} chain (pruned or never written)`,
      );
    const message = storedMessage(row.seq, row.prevHash, row.text);
    const hashes = s.tree.inclusionProof(seq, cp.size);
    const body = parseCheckpoint(parseNote(cp.note).text);
    try {
      verifyInclusion(seq, cp.size, leafHash(message), hashes, body.root);
    } catch (e) {
      throw new TransparencyError(
        "PROOF_INVALID",
        `record ${seq} does not prove against checkpoint ${cp.size}: the store was altered (${(e as Error).message})`,
      );
    }
    return formatTlogProof({ index: seq, hashes, checkpoint: cp.note, extra: message });
  }

  addCosignatures(chain: ChainName, size: number, lines: readonly string[], timestamp?: Buffer): void {
    const s = this.#state(chain);
    this.#tx(() => {
      const cp = s.tree.checkpointAt(size);
      if (!cp) throw new TransparencyError("TREE_UNAVAILABLE", `no ${chain} checkpoint of size ${size}`);
      const have = new Set(cp.note.split("\n"));
      const add = lines.filter((l) => l !== "" && !have.has(l));
      s.tree.updateCheckpoint(
        size,
        add.length > 0 ? `${cp.note}${add.join("\n")}\n` : cp.note,
        timestamp ?? null,
      );
    }, `store cosignatures for a ${chain} checkpoint`);
  }

  /** Final integration and checkpoint; stops the timer. */
  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    if (this.sqlite.options.readonly || !this.sqlite.db.open) return;
    for (const s of this.#chains.values()) {
      try {
        if (this.#signer) {
          this.#tx(() => this.#publishIn(s), `publish a ${s.name} checkpoint`);
          this.#emit(s);
        } else {
          this.#tx(() => s.tree.integrate(), `integrate the ${s.name} tree`);
        }
      } catch (e) {
        this.#stats.publishFailures++;
        this.#report(`final checkpoint on close failed (${(e as { code?: string }).code ?? "error"})`);
      }
    }
  }
}
