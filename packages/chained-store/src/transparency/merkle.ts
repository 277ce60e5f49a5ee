// RFC 9162 (RFC 6962) Merkle tree math: leaf and interior hashing, a compact range that grows
// the tree with O(log n) state, inclusion and consistency proof construction over any source of
// perfect-subtree hashes, and their verifiers. Pure: node:crypto hashing only, no I/O, no clock.
// The compact-range idea follows transparency-dev/merkle's docs/compact_ranges.md.

import { hash as oneShotHash } from "node:crypto";
import { ProofInvalidError } from "./errors.js";

export const HASH_SIZE = 32;
const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = 0x01;

/** Root of the empty tree: SHA-256 of the empty string. */
export const EMPTY_ROOT: Buffer = oneShotHash("sha256", Buffer.alloc(0), "buffer");

/** Leaf hash: SHA-256(0x00 || data). */
export function leafHash(data: Uint8Array): Buffer {
  // One buffer and one-shot hashing: measured ~20% cheaper than createHash for short inputs.
  const buf = Buffer.allocUnsafe(data.length + 1);
  buf[0] = 0x00;
  buf.set(data, 1);
  return oneShotHash("sha256", buf, "buffer");
}

const nodeScratch = Buffer.allocUnsafe(1 + 2 * HASH_SIZE);
nodeScratch[0] = NODE_PREFIX;

/** Interior hash: SHA-256(0x01 || left || right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  nodeScratch.set(left, 1);
  nodeScratch.set(right, 1 + HASH_SIZE);
  return oneShotHash("sha256", nodeScratch, "buffer");
}

export { LEAF_PREFIX };

/** Called with every perfect subtree a compact range creates: tree level, index at that level, hash. */
export type NodeVisitor = (level: number, index: number, hash: Buffer) => void;

/**
 * The roots of the perfect subtrees covering leaves [0, size), largest first: at most 64 hashes.
 * Appending a leaf merges equal-sized neighbours, so each interior node is hashed exactly once.
 */
export class CompactRange {
  #size: number;
  /** `#hashes[i]` is the root of the i-th perfect subtree, in left-to-right (decreasing) order. */
  #hashes: Buffer[];

  constructor(size = 0, hashes: Buffer[] = []) {
    if (!Number.isSafeInteger(size) || size < 0)
      throw new RangeError("compact range size must be a safe integer ≥ 0");
    if (hashes.length !== popcount(size)) {
      throw new RangeError(
        `a compact range of size ${size} has ${popcount(size)} hashes, got ${hashes.length}`,
      );
    }
    this.#size = size;
    this.#hashes = hashes.slice();
  }

  get size(): number {
    return this.#size;
  }

  /** Copies of the subtree roots, largest first. */
  hashes(): Buffer[] {
    return this.#hashes.slice();
  }

  /** Adds one leaf hash; `visit` sees the leaf (level 0) and every interior node it completes. */
  append(leaf: Buffer, visit?: NodeVisitor): void {
    let hash = leaf;
    let index = this.#size;
    let level = 0;
    visit?.(0, index, hash);
    // Each trailing one bit of the old size is a subtree of the same height to merge with.
    while ((Math.floor(this.#size / 2 ** level) & 1) === 1) {
      const left = this.#hashes.pop() as Buffer;
      hash = nodeHash(left, hash);
      level++;
      index = Math.floor(index / 2);
      visit?.(level, index, hash);
    }
    this.#hashes.push(hash);
    this.#size++;
  }

  /** The tree root: subtree roots folded right to left; the empty tree's root for size 0. */
  root(): Buffer {
    const h = this.#hashes;
    if (h.length === 0) return EMPTY_ROOT;
    let acc = h[h.length - 1] as Buffer;
    for (let i = h.length - 2; i >= 0; i--) acc = nodeHash(h[i] as Buffer, acc);
    return acc;
  }
}

export function popcount(n: number): number {
  let c = 0;
  while (n > 0) {
    c += n % 2;
    n = Math.floor(n / 2);
  }
  return c;
}

/** Largest power of two strictly smaller than n (n ≥ 2). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function isPowerOfTwo(n: number): boolean {
  // Exact for safe integers: log2 of a power of two is an integer in binary floating point.
  return n > 0 && 2 ** Math.floor(Math.log2(n)) === n;
}

/** Hash of the perfect subtree at `level` with index `index` (covering leaves [index·2^level, (index+1)·2^level)). */
export type NodeSource = (level: number, index: number) => Buffer;

/** MTH(D[begin:end]) for a range whose left edge is aligned as the RFC's recursion guarantees. */
export function rangeHash(begin: number, end: number, node: NodeSource): Buffer {
  const n = end - begin;
  if (n <= 0) throw new RangeError("empty range");
  if (isPowerOfTwo(n) && begin % n === 0) return node(Math.log2(n), begin / n);
  const k = splitPoint(n);
  return nodeHash(rangeHash(begin, begin + k, node), rangeHash(begin + k, end, node));
}

/** RFC 9162 §2.1.3.1 PATH(m, D[0:n]): sibling hashes from the leaf's upwards. */
export function inclusionProof(index: number, size: number, node: NodeSource): Buffer[] {
  if (!(Number.isSafeInteger(index) && Number.isSafeInteger(size) && index >= 0 && index < size)) {
    throw new RangeError(`leaf index ${index} is not in a tree of size ${size}`);
  }
  const out: Buffer[] = [];
  const walk = (m: number, begin: number, end: number): void => {
    const n = end - begin;
    if (n === 1) return;
    const k = splitPoint(n);
    if (m < k) {
      walk(m, begin, begin + k);
      out.push(rangeHash(begin + k, end, node));
    } else {
      walk(m - k, begin + k, end);
      out.push(rangeHash(begin, begin + k, node));
    }
  };
  walk(index, 0, size);
  return out;
}

/** RFC 9162 §2.1.4.1 PROOF(m, D[0:n]) for 0 < m ≤ n (empty when m = n). */
export function consistencyProof(size1: number, size2: number, node: NodeSource): Buffer[] {
  if (!(Number.isSafeInteger(size1) && Number.isSafeInteger(size2) && size1 > 0 && size1 <= size2)) {
    throw new RangeError(`no consistency proof from size ${size1} to size ${size2}`);
  }
  const out: Buffer[] = [];
  const sub = (m: number, begin: number, end: number, whole: boolean): void => {
    const n = end - begin;
    if (m === n) {
      if (!whole) out.push(rangeHash(begin, end, node));
      return;
    }
    const k = splitPoint(n);
    if (m <= k) {
      sub(m, begin, begin + k, whole);
      out.push(rangeHash(begin + k, end, node));
    } else {
      sub(m - k, begin + k, end, false);
      out.push(rangeHash(begin, begin + k, node));
    }
  };
  sub(size1, 0, size2, true);
  return out;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

function need32(what: string, h: Uint8Array): void {
  if (h.length !== HASH_SIZE)
    throw new ProofInvalidError(`${what} is ${h.length} bytes, expected ${HASH_SIZE}`);
}

/** The root an inclusion proof leads to (RFC 9162 §2.1.3.2); throws ProofInvalidError on a malformed proof. */
export function rootFromInclusionProof(
  index: number,
  size: number,
  leaf: Uint8Array,
  proof: readonly Uint8Array[],
): Buffer {
  if (!(Number.isSafeInteger(index) && Number.isSafeInteger(size)) || index < 0 || index >= size) {
    throw new ProofInvalidError(`leaf index ${index} is not in a tree of size ${size}`);
  }
  need32("leaf hash", leaf);
  let fn = index;
  let sn = size - 1;
  let r: Buffer = Buffer.from(leaf);
  for (const p of proof) {
    need32("proof hash", p);
    if (sn === 0) throw new ProofInvalidError("inclusion proof is longer than the tree is deep");
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) throw new ProofInvalidError("inclusion proof is shorter than the tree is deep");
  return r;
}

/** Verifies that `leaf` is at `index` in the tree of `size` with `root`. */
export function verifyInclusion(
  index: number,
  size: number,
  leaf: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): void {
  need32("root", root);
  const got = rootFromInclusionProof(index, size, leaf, proof);
  if (!sameBytes(got, root)) throw new ProofInvalidError("inclusion proof does not lead to the root");
}

/**
 * Verifies that the tree (size2, root2) extends (size1, root1) (RFC 9162 §2.1.4.2). Like
 * transparency-dev/merkle after its 2026 change, size1 = 0 always fails here: "the empty tree is a
 * prefix of every tree" carries no proof and callers decide it before asking (see docs/integrity.md).
 */
export function verifyConsistency(
  size1: number,
  size2: number,
  proof: readonly Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
): void {
  if (!(Number.isSafeInteger(size1) && Number.isSafeInteger(size2)) || size1 < 0 || size2 < 0) {
    throw new ProofInvalidError("tree sizes must be non-negative integers");
  }
  if (size2 < size1) throw new ProofInvalidError(`size ${size2} is smaller than size ${size1}`);
  if (size1 === 0) throw new ProofInvalidError("a consistency proof from the empty tree proves nothing");
  if (size1 === size2) {
    if (proof.length > 0) throw new ProofInvalidError("equal sizes need an empty proof");
    if (!sameBytes(root1, root2)) throw new ProofInvalidError("equal sizes but different roots");
    return;
  }
  need32("first root", root1);
  need32("second root", root2);
  if (proof.length === 0) throw new ProofInvalidError("empty consistency proof for different sizes");
  for (const p of proof) need32("proof hash", p);
  const path: Uint8Array[] = isPowerOfTwo(size1) ? [root1, ...proof] : [...proof];
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr: Buffer = Buffer.from(path[0] as Uint8Array);
  let sr: Buffer = Buffer.from(path[0] as Uint8Array);
  for (let i = 1; i < path.length; i++) {
    const c = path[i] as Uint8Array;
    if (sn === 0) throw new ProofInvalidError("consistency proof is too long");
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) throw new ProofInvalidError("consistency proof is too short");
  if (!sameBytes(fr, root1)) throw new ProofInvalidError("consistency proof does not lead to the first root");
  if (!sameBytes(sr, root2))
    throw new ProofInvalidError("consistency proof does not lead to the second root");
}
