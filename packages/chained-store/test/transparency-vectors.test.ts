// The pure transparency layer against third-party vectors (see test/vectors/README.md):
// transparency-dev/merkle's golden probes, the RFC 6962 8-leaf tree, real CT (Argon 2020)
// proofs, and the byte-exact sumdb/note Ed25519 signature.

import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  CompactRange,
  consistencyProof,
  EMPTY_ROOT,
  inclusionProof,
  leafHash,
  nodeHash,
  openNote,
  parseSignerKey,
  parseVerifierKey,
  signNote,
  verifyConsistency,
  verifyInclusion,
} from "../src/index.js";

const VEC = join(import.meta.dirname, "vectors");
const b64 = (s: string | null | undefined) => Buffer.from(s ?? "", "base64");

function probes(kind: string): Array<{ file: string; data: Record<string, unknown> }> {
  const root = join(VEC, "transparency-dev-merkle/testdata", kind);
  const out: Array<{ file: string; data: Record<string, unknown> }> = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith(".json"))
        out.push({ file: p.slice(root.length + 1), data: JSON.parse(readFileSync(p, "utf8")) });
    }
  };
  walk(root);
  return out;
}

function outcome(fn: () => void): boolean {
  try {
    fn();
    return false;
  } catch {
    return true;
  }
}

describe("transparency-dev/merkle golden probes", () => {
  const inclusion = probes("inclusion");
  const consistency = probes("consistency");
  it("has all the copied probes", () => {
    expect(inclusion.length).toBe(98);
    expect(consistency.length).toBe(98);
  });
  it.each(inclusion)("inclusion $file", ({ data }) => {
    const proof = ((data.proof as string[] | null) ?? []).map(b64);
    const failed = outcome(() =>
      verifyInclusion(
        data.leafIdx as number,
        data.treeSize as number,
        b64(data.leafHash as string),
        proof,
        b64(data.root as string),
      ),
    );
    expect(failed).toBe(data.wantErr);
  });
  it.each(consistency)("consistency $file", ({ data }) => {
    const proof = ((data.proof as string[] | null) ?? []).map(b64);
    const failed = outcome(() =>
      verifyConsistency(
        data.size1 as number,
        data.size2 as number,
        proof,
        b64(data.root1 as string),
        b64(data.root2 as string),
      ),
    );
    expect(failed).toBe(data.wantErr);
  });
});

describe("RFC 6962 8-leaf tree", () => {
  const v = JSON.parse(readFileSync(join(VEC, "rfc6962-8-leaves.json"), "utf8"));
  const leaves = (v.leaves_hex as string[]).map((h) => Buffer.from(h, "hex"));
  it("hashes leaves and builds every root size by size", () => {
    const r = new CompactRange();
    expect(r.root().toString("hex")).toBe(v.roots_by_size_hex[0]);
    expect(EMPTY_ROOT.toString("hex")).toBe(v.roots_by_size_hex[0]);
    const seen = new Map<string, string>();
    leaves.forEach((leaf, i) => {
      const lh = leafHash(leaf);
      expect(lh.toString("hex")).toBe(v.leaf_hashes_hex[i]);
      r.append(lh, (level, index, h) => seen.set(`${level}/${index}`, h.toString("hex")));
      expect(r.root().toString("hex")).toBe(v.roots_by_size_hex[i + 1]);
    });
    for (const [i, h] of (v.level1_hex as string[]).entries()) expect(seen.get(`1/${i}`)).toBe(h);
    for (const [i, h] of (v.level2_hex as string[]).entries()) expect(seen.get(`2/${i}`)).toBe(h);
    expect(seen.get("3/0")).toBe(v.roots_by_size_hex[8]);
  });
  it("proves every leaf in every size and every size pair, and the proofs verify", () => {
    const lh = leaves.map(leafHash);
    const node = naiveNodes(lh);
    for (let n = 1; n <= 8; n++) {
      const root = Buffer.from(v.roots_by_size_hex[n], "hex");
      for (let i = 0; i < n; i++) verifyInclusion(i, n, lh[i] as Buffer, inclusionProof(i, n, node), root);
      for (let m = 1; m <= n; m++) {
        verifyConsistency(
          m,
          n,
          consistencyProof(m, n, node),
          Buffer.from(v.roots_by_size_hex[m], "hex"),
          root,
        );
      }
    }
  });
  it("rejects a proof for the wrong leaf, the wrong index and a flipped bit", () => {
    const lh = leaves.map(leafHash);
    const node = naiveNodes(lh);
    const root = Buffer.from(v.roots_by_size_hex[7], "hex");
    const p = inclusionProof(3, 7, node);
    expect(() => verifyInclusion(3, 7, lh[4] as Buffer, p, root)).toThrow(/root/);
    expect(() => verifyInclusion(2, 7, lh[3] as Buffer, p, root)).toThrow();
    const flipped = p.map((h) => Buffer.from(h));
    const target = flipped[1] as Buffer;
    target.writeUInt8(target.readUInt8(5) ^ 1, 5);
    expect(() => verifyInclusion(3, 7, lh[3] as Buffer, flipped, root)).toThrow();
  });
});

/** Perfect-subtree hashes straight from the definition, as an independent source for the prover. */
function naiveNodes(leafHashes: Buffer[]) {
  const node = (level: number, index: number): Buffer => {
    if (level === 0) return leafHashes[index] as Buffer;
    return nodeHash(node(level - 1, 2 * index), node(level - 1, 2 * index + 1));
  };
  return node;
}

describe("Argon 2020 (a real CT log of 961,984,013 entries)", () => {
  const dir = join(VEC, "x-mod-argon2020");
  const sth = JSON.parse(readFileSync(join(dir, "sth.json"), "utf8"));
  const entries = JSON.parse(readFileSync(join(dir, "entries.json"), "utf8"));
  const proof = JSON.parse(readFileSync(join(dir, "proof.json"), "utf8"));
  const cons = JSON.parse(readFileSync(join(dir, "consistency.json"), "utf8"));
  const root = b64(sth.sha256_root_hash);
  const leaf = leafHash(b64(entries.entries[0].leaf_input));
  it("verifies entry 10000's inclusion proof", () => {
    verifyInclusion(10000, sth.tree_size, leaf, proof.audit_path.map(b64), root);
  });
  it("verifies the consistency proof from size 3,654,490", () => {
    const old = b64("AuIZ5V6sDUj1vn3Y1K85oOaQ7y+FJJKtyRTl1edIKBQ=");
    verifyConsistency(3654490, sth.tree_size, cons.consistency.map(b64), old, root);
  });
  it("rejects them one index or one bit off", () => {
    expect(() => verifyInclusion(10001, sth.tree_size, leaf, proof.audit_path.map(b64), root)).toThrow();
    const bad = proof.audit_path.map(b64);
    bad[10][0] ^= 0x80;
    expect(() => verifyInclusion(10000, sth.tree_size, leaf, bad, root)).toThrow();
    const old = b64("AuIZ5V6sDUj1vn3Y1K85oOaQ7y+FJJKtyRTl1edIKBQ=");
    expect(() => verifyConsistency(3654491, sth.tree_size, cons.consistency.map(b64), old, root)).toThrow();
  });
});

describe("sumdb/note Ed25519 vector", () => {
  const v = JSON.parse(readFileSync(join(VEC, "sumdb-note.json"), "utf8"));
  it("reproduces the key id, the verifier key and the signature byte for byte", () => {
    const signer = parseSignerKey(v.skey);
    expect(signer.verifier.vkey).toBe(v.vkey);
    expect(signer.keyId.toString(16)).toBe("c74f20a3");
    expect(signNote(v.text, signer)).toBe(`${v.text}\n${v.signature_line}\n`);
  });
  it("opens the note with the verifier key and refuses it under another key or edited", () => {
    const note = `${v.text}\n${v.signature_line}\n`;
    const key = parseVerifierKey(v.vkey);
    expect(openNote(note, [key]).text).toBe(v.text);
    const other = parseVerifierKey(v.c2sp_example_vkey);
    expect(() => openNote(note, [other])).toThrow(/no trusted key/);
    expect(() => openNote(note.replace("answer", "Answer"), [key])).toThrow(/does not verify/);
  });
  it("rejects the bad keys of the Go test and parses a vkey whose base64 contains '+'", () => {
    for (const k of v.bad_vkeys) expect(() => parseVerifierKey(k)).toThrow();
    expect(parseVerifierKey(v.c2sp_example_vkey).keyId.toString(16)).toBe("530d903a");
    expect(parseSignerKey(v.skey).name).toBe("PeterNeumann"); // base64 "…Dr+Y7…" holds a '+'
  });
});
