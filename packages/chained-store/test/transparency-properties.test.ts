// Property tests of the Merkle math: for random trees, every inclusion and consistency proof the
// prover builds verifies against roots computed straight from the RFC definition, and any single
// changed proof hash, index or size is rejected.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CompactRange,
  consistencyProof,
  inclusionProof,
  leafHash,
  nodeHash,
  verifyConsistency,
  verifyInclusion,
} from "../src/index.js";

/** MTH(D[lo:hi]) by the RFC 9162 recursion, independent of the compact range. */
function mth(leaves: Buffer[], lo: number, hi: number): Buffer {
  if (hi - lo === 1) return leaves[lo] as Buffer;
  let k = 1;
  while (k * 2 < hi - lo) k *= 2;
  return nodeHash(mth(leaves, lo, lo + k), mth(leaves, lo + k, hi));
}

const tree = fc
  .integer({ min: 1, max: 300 })
  .map((n) => Array.from({ length: n }, (_, i) => leafHash(Buffer.from(`leaf ${i} of ${n}`))));
const node = (leaves: Buffer[]) => (level: number, index: number) =>
  mth(leaves, index * 2 ** level, (index + 1) * 2 ** level);

describe("Merkle properties", () => {
  it("compact range roots equal the recursive definition", () => {
    fc.assert(
      fc.property(tree, (leaves) => {
        const r = new CompactRange();
        for (const l of leaves) r.append(l);
        expect(r.root().equals(mth(leaves, 0, leaves.length))).toBe(true);
      }),
      { numRuns: 60 },
    );
  });
  it("inclusion proofs verify and a tampered one does not", () => {
    fc.assert(
      fc.property(tree, fc.nat(), fc.nat(), (leaves, a, b) => {
        const n = leaves.length;
        const i = a % n;
        const root = mth(leaves, 0, n);
        const p = inclusionProof(i, n, node(leaves));
        verifyInclusion(i, n, leaves[i] as Buffer, p, root);
        if (p.length > 0) {
          const bad = p.map((h) => Buffer.from(h));
          const h = bad[b % bad.length] as Buffer;
          h.writeUInt8(h.readUInt8(b % 32) ^ 1, b % 32);
          expect(() => verifyInclusion(i, n, leaves[i] as Buffer, bad, root)).toThrow();
          if (n > 1) expect(() => verifyInclusion((i + 1) % n, n, leaves[i] as Buffer, p, root)).toThrow();
        }
      }),
      { numRuns: 100 },
    );
  });
  it("consistency proofs verify between any two sizes and bind both roots", () => {
    fc.assert(
      fc.property(tree, fc.nat(), (leaves, a) => {
        const n = leaves.length;
        const m = 1 + (a % n);
        const p = consistencyProof(m, n, node(leaves));
        const r1 = mth(leaves, 0, m);
        const r2 = mth(leaves, 0, n);
        verifyConsistency(m, n, p, r1, r2);
        if (m < n) {
          expect(() => verifyConsistency(m, n, p, r2, r2)).toThrow();
          const bad = p.map((h) => Buffer.from(h));
          (bad[0] as Buffer).writeUInt8((bad[0] as Buffer).readUInt8(0) ^ 0x80, 0);
          expect(() => verifyConsistency(m, n, bad, r1, r2)).toThrow();
        }
      }),
      { numRuns: 100 },
    );
  });
});
