// The Merkle tree of one chain, kept in the store beside its records (Tessera's split):
// append computes each record's leaf hash on the hot path; integrate folds pending leaves into the
// compact range in batches and writes the touched tiles and the (size, root) state in the same
// SQLite transaction as the records; publish signs a checkpoint. Memory is O(log n): the compact
// range plus the one partial tile per tile level. Reopening reads one state row and ≤ 1 tile per level.

import type Database from "better-sqlite3";
import { storedMessage } from "../chain.js";
import type { RawRow } from "../log.js";
import { TransparencyError } from "../transparency/errors.js";
import {
  CompactRange,
  consistencyProof,
  EMPTY_ROOT,
  HASH_SIZE,
  inclusionProof,
  leafHash,
  rangeHash,
} from "../transparency/merkle.js";
import type { StoredCheckpoint } from "../types.js";

export const TILE_HEIGHT = 8;
export const TILE_WIDTH = 256;
const INTERIOR_HASHES = TILE_WIDTH - 2;
/** Tiles kept for proofs: 1024 × 16 KiB = 16 MiB at most. */
const TILE_CACHE = 1024;
/** Default integration batch: Tessera's DefaultBatchMaxSize. */
export const DEFAULT_MERKLE_BATCH = 256;

/** Where the hashes at height h (1..7) inside a tile start, counted in hashes. */
function interiorOffset(h: number): number {
  return TILE_WIDTH - 2 ** (TILE_HEIGHT + 1 - h);
}

interface Tile {
  idx: number;
  width: number;
  hashes: Buffer;
  interior: Buffer;
  dirty: boolean;
}

/** What the tree reads from its chain. */
export interface LeafSource {
  bySeq(seq: number): RawRow | undefined;
  /** Seq the next appended record gets (records are [firstSeq, nextSeq)). */
  nextSeq(): number;
}

export class ChainTree {
  #range = new CompactRange();
  readonly #tiles = new Map<number, Tile>();
  readonly #pending = new Map<number, Buffer>();
  /** Tiles read for proofs (append-only, so never stale for the nodes they hold); FIFO-bounded. */
  readonly #tileCache = new Map<string, { hashes: Buffer; interior: Buffer }>();
  #unavailable: string | null = null;
  #loaded = false;
  readonly #s: {
    state: Database.Statement;
    putState: Database.Statement;
    tile: Database.Statement;
    putTile: Database.Statement;
    checkpoints: Database.Statement;
    latestCheckpoint: Database.Statement;
    checkpointAt: Database.Statement;
    putCheckpoint: Database.Statement;
    updateNote: Database.Statement;
  };

  constructor(
    readonly db: Database.Database,
    readonly chain: string,
    private readonly source: LeafSource,
    private readonly options: { batchSize: number; readonly: boolean },
  ) {
    const w = !options.readonly;
    const prep = (sql: string) => db.prepare(sql);
    this.#s = {
      state: prep("SELECT size, root, compact FROM weft_tree_state WHERE chain = ?").raw(true),
      putState: w
        ? prep(
            "INSERT INTO weft_tree_state (chain, size, root, compact) VALUES (?, ?, ?, ?) " +
              "ON CONFLICT(chain) DO UPDATE SET size = excluded.size, root = excluded.root, compact = excluded.compact",
          )
        : prep("SELECT 1"),
      tile: prep(
        "SELECT hashes, interior FROM weft_merkle_tiles WHERE chain = ? AND level = ? AND idx = ?",
      ).raw(true),
      putTile: w
        ? prep(
            "INSERT INTO weft_merkle_tiles (chain, level, idx, hashes, interior) VALUES (?, ?, ?, ?, ?) " +
              "ON CONFLICT(chain, level, idx) DO UPDATE SET hashes = excluded.hashes, interior = excluded.interior",
          )
        : prep("SELECT 1"),
      checkpoints: prep(
        "SELECT chain, size, root, note, timestamp, created_at FROM weft_checkpoints WHERE chain = ? ORDER BY size",
      ).raw(true),
      latestCheckpoint: prep(
        "SELECT chain, size, root, note, timestamp, created_at FROM weft_checkpoints WHERE chain = ? ORDER BY size DESC LIMIT 1",
      ).raw(true),
      checkpointAt: prep(
        "SELECT chain, size, root, note, timestamp, created_at FROM weft_checkpoints WHERE chain = ? AND size = ?",
      ).raw(true),
      putCheckpoint: w
        ? prep(
            "INSERT INTO weft_checkpoints (chain, size, root, note, timestamp, created_at) VALUES (?, ?, ?, ?, NULL, ?) " +
              "ON CONFLICT(chain, size) DO NOTHING",
          )
        : prep("SELECT 1"),
      updateNote: w
        ? prep(
            "UPDATE weft_checkpoints SET note = ?, timestamp = COALESCE(?, timestamp) WHERE chain = ? AND size = ?",
          )
        : prep("SELECT 1"),
    };
  }

  /** Why this chain has no tree (e.g. records pruned by another tool before the tree existed), or null. */
  get unavailable(): string | null {
    return this.#unavailable;
  }

  /** Integrated size (what the stored root covers). */
  size(): number {
    this.#ensureLoaded();
    return this.#range.size;
  }

  root(): Buffer {
    this.#ensureLoaded();
    return this.#range.root();
  }

  /** Called inside the append transaction with the new records' leaves; integrates a full batch. */
  noteAppended(firstSeq: number, leaves: readonly Buffer[]): void {
    if (this.#unavailable !== null) return;
    for (let i = 0; i < leaves.length; i++) this.#pending.set(firstSeq + i, leaves[i] as Buffer);
    if (this.#pending.size >= this.options.batchSize) this.integrate();
  }

  /** The append transaction failed: forget leaves of records that were rolled back. */
  discardPending(fromSeq: number): void {
    for (const seq of this.#pending.keys()) if (seq >= fromSeq) this.#pending.delete(seq);
    // The in-memory range may be ahead of what committed; reload lazily from the stored state.
    this.#loaded = false;
  }

  /** Folds every record not yet in the tree into it. Call inside a write transaction. */
  integrate(): number {
    this.#ensureLoaded();
    if (this.#unavailable !== null) return this.#range.size;
    const next = this.source.nextSeq();
    let seq = this.#range.size;
    if (seq >= next) {
      this.#pending.clear();
      return seq;
    }
    const visit = (level: number, index: number, hash: Buffer) => this.#visit(level, index, hash);
    for (; seq < next; seq++) {
      let leaf = this.#pending.get(seq);
      if (leaf === undefined) {
        const row = this.source.bySeq(seq);
        if (row === undefined) {
          this.#unavailable = `record ${seq} is missing (pruned before the tree existed), so the tree cannot cover it`;
          this.#pending.clear();
          return this.#range.size;
        }
        leaf = leafHash(storedMessage(row.seq, row.prevHash, row.text));
      }
      this.#range.append(leaf, visit);
    }
    this.#pending.clear();
    this.#flush();
    return this.#range.size;
  }

  /** Loads the stored state when memory does not hold it: first use, another writer, a rollback. */
  #ensureLoaded(): void {
    const row = this.#s.state.get(this.chain) as [number, Buffer, Buffer] | undefined;
    const size = row ? row[0] : 0;
    if (this.#loaded && size === this.#range.size) return;
    // Another writer integrated, or a failed transaction left memory ahead: reload from disk.
    this.#tiles.clear();
    if (row) {
      const compact: Buffer[] = [];
      for (let i = 0; i < row[2].length; i += HASH_SIZE)
        compact.push(Buffer.from(row[2].subarray(i, i + HASH_SIZE)));
      this.#range = new CompactRange(size, compact);
      for (let level = 0; Math.floor(size / TILE_WIDTH ** level) > 0; level++) {
        const entries = Math.floor(size / TILE_WIDTH ** level);
        if (entries % TILE_WIDTH === 0) continue;
        const idx = Math.floor(entries / TILE_WIDTH);
        const t = this.#s.tile.get(this.chain, level, idx) as [Buffer, Buffer] | undefined;
        const tile = this.#emptyTile(idx);
        if (t) {
          t[0].copy(tile.hashes);
          t[1].copy(tile.interior);
          tile.width = t[0].length / HASH_SIZE;
        }
        this.#tiles.set(level, tile);
      }
    } else {
      this.#range = new CompactRange();
      // A chain whose first record is not seq 0 lost its start before any tree existed.
      const first = this.source.bySeq(0);
      if (first === undefined && this.source.nextSeq() > 0) {
        this.#unavailable = "the chain's first records were pruned before the tree existed";
      }
    }
    this.#loaded = true;
  }

  #emptyTile(idx: number): Tile {
    return {
      idx,
      width: 0,
      hashes: Buffer.alloc(TILE_WIDTH * HASH_SIZE),
      interior: Buffer.alloc(INTERIOR_HASHES * HASH_SIZE),
      dirty: false,
    };
  }

  #tile(level: number, idx: number): Tile {
    let t = this.#tiles.get(level);
    if (t === undefined || t.idx !== idx) {
      if (t?.dirty) this.#writeTile(level, t);
      t = this.#emptyTile(idx);
      this.#tiles.set(level, t);
    }
    return t;
  }

  #visit(level: number, index: number, hash: Buffer): void {
    const tileLevel = Math.floor(level / TILE_HEIGHT);
    const h = level % TILE_HEIGHT;
    if (h === 0) {
      const t = this.#tile(tileLevel, Math.floor(index / TILE_WIDTH));
      const pos = index % TILE_WIDTH;
      hash.copy(t.hashes, pos * HASH_SIZE);
      t.width = pos + 1;
      t.dirty = true;
    } else {
      const per = 2 ** (TILE_HEIGHT - h);
      const t = this.#tile(tileLevel, Math.floor(index / per));
      hash.copy(t.interior, (interiorOffset(h) + (index % per)) * HASH_SIZE);
      t.dirty = true;
    }
  }

  #writeTile(level: number, t: Tile): void {
    this.#s.putTile.run(this.chain, level, t.idx, t.hashes.subarray(0, t.width * HASH_SIZE), t.interior);
    t.dirty = false;
  }

  #flush(): void {
    for (const [level, t] of this.#tiles) {
      if (t.dirty) this.#writeTile(level, t);
      if (t.width === TILE_WIDTH) this.#tiles.delete(level);
    }
    const compact = Buffer.concat(this.#range.hashes());
    this.#s.putState.run(this.chain, this.#range.size, this.#range.root(), compact);
  }

  /** Hash of a perfect subtree, from the tiles (NodeSource for the provers). */
  node = (level: number, index: number): Buffer => {
    const tileLevel = Math.floor(level / TILE_HEIGHT);
    const h = level % TILE_HEIGHT;
    const per = 2 ** (TILE_HEIGHT - h);
    const idx = Math.floor(index / per);
    const pos = index % per;
    const tile = this.#readTile(tileLevel, idx, (pos + 1) * 2 ** h);
    const width = tile ? tile.hashes.length / HASH_SIZE : 0;
    if (!tile || (pos + 1) * 2 ** h > width) {
      throw new TransparencyError(
        "TREE_UNAVAILABLE",
        `Merkle tile ${tileLevel}/${idx} of ${this.chain} is missing or short (store corrupt?)`,
      );
    }
    const at = h === 0 ? pos : interiorOffset(h) + pos;
    const src = h === 0 ? tile.hashes : tile.interior;
    return src.subarray(at * HASH_SIZE, (at + 1) * HASH_SIZE);
  };

  #readTile(level: number, idx: number, minWidth: number): { hashes: Buffer; interior: Buffer } | undefined {
    const key = `${level}/${idx}`;
    // Tiles only ever grow: a cached copy is right for every node it is wide enough to hold.
    const cached = this.#tileCache.get(key);
    if (cached && cached.hashes.length >= minWidth * HASH_SIZE) return cached;
    const mem = this.#tiles.get(level);
    if (mem && mem.idx === idx && !this.options.readonly && mem.width >= minWidth) {
      return { hashes: mem.hashes.subarray(0, mem.width * HASH_SIZE), interior: mem.interior };
    }
    const t = this.#s.tile.get(this.chain, level, idx) as [Buffer, Buffer] | undefined;
    if (!t) return undefined;
    const out = { hashes: t[0], interior: t[1] };
    if (this.#tileCache.size >= TILE_CACHE)
      this.#tileCache.delete(this.#tileCache.keys().next().value as string);
    this.#tileCache.set(key, out);
    return out;
  }

  #requireTree(size: number): void {
    this.#ensureLoaded();
    if (this.#unavailable !== null)
      throw new TransparencyError(
        "TREE_UNAVAILABLE",
        `no Merkle tree for ${this.chain}: ${this.#unavailable}`,
      );
    if (size > this.#range.size) {
      throw new TransparencyError(
        "TREE_UNAVAILABLE",
        `the ${this.chain} tree has ${this.#range.size} leaves, not ${size}`,
      );
    }
  }

  /** Root of the tree at an earlier size, from the tiles. */
  rootAt(size: number): Buffer {
    this.#requireTree(size);
    return size === 0 ? EMPTY_ROOT : Buffer.from(rangeHash(0, size, this.node));
  }

  inclusionProof(index: number, size: number): Buffer[] {
    this.#requireTree(size);
    return inclusionProof(index, size, this.node).map((b) => Buffer.from(b));
  }

  consistencyProof(size1: number, size2: number): Buffer[] {
    this.#requireTree(size2);
    if (size1 === 0) return [];
    return consistencyProof(size1, size2, this.node).map((b) => Buffer.from(b));
  }

  // --- checkpoints ---

  checkpoints(): StoredCheckpoint[] {
    return (this.#s.checkpoints.all(this.chain) as CheckpointRow[]).map(toCheckpoint);
  }

  latestCheckpoint(): StoredCheckpoint | undefined {
    const r = this.#s.latestCheckpoint.get(this.chain) as CheckpointRow | undefined;
    return r ? toCheckpoint(r) : undefined;
  }

  checkpointAt(size: number): StoredCheckpoint | undefined {
    const r = this.#s.checkpointAt.get(this.chain, size) as CheckpointRow | undefined;
    return r ? toCheckpoint(r) : undefined;
  }

  /** Stores a signed checkpoint of the current tree. Call inside a write transaction. */
  putCheckpoint(size: number, root: Buffer, note: string, createdAt: string): boolean {
    return this.#s.putCheckpoint.run(this.chain, size, root, note, createdAt).changes > 0;
  }

  /** Replaces a stored checkpoint's note (adding cosignatures) and optionally its RFC 3161 token. */
  updateCheckpoint(size: number, note: string, timestamp: Buffer | null): void {
    this.#s.updateNote.run(note, timestamp, this.chain, size);
  }
}

type CheckpointRow = [string, number, Buffer, string, Buffer | null, string];

function toCheckpoint(r: CheckpointRow): StoredCheckpoint {
  return { chain: r[0], size: r[1], root: r[2], note: r[3], timestamp: r[4], createdAt: r[5] };
}
