// Checkpoints, cosignatures, tlog-proof receipts and tlog-policy quorums: round trips plus the
// attacks a receipt must survive (flipped bit, swapped extra, another log's checkpoint).

import { describe, expect, it } from "vitest";
import {
  CompactRange,
  cosignatureLine,
  cosignerVerifierKey,
  formatCheckpoint,
  formatTlogProof,
  generateNoteKey,
  inclusionProof,
  leafHash,
  nodeHash,
  parseCheckpoint,
  parseSignerKey,
  parseTlogPolicy,
  parseTlogProof,
  parseVerifierKey,
  signNote,
  verifyCheckpointNote,
  verifyReceipt,
} from "../src/index.js";

function message(seq: number, payload: string): Buffer {
  return Buffer.from(`{"prev_hash":"${"0".repeat(64)}","seq":${seq},"trace":${payload}}`);
}

/** A little log of `n` records signed by a fresh key. */
function makeLog(n: number, origin = "weft/test/actions", tag = "a") {
  const keys = generateNoteKey("weft.test/log");
  const signer = parseSignerKey(keys.skey);
  const msgs = Array.from({ length: n }, (_, i) => message(i, `{"action_id":"${tag}${i}"}`));
  const leaves = msgs.map(leafHash);
  const range = new CompactRange();
  for (const l of leaves) range.append(l);
  const node = (level: number, index: number): Buffer =>
    level === 0
      ? (leaves[index] as Buffer)
      : nodeHash(node(level - 1, 2 * index), node(level - 1, 2 * index + 1));
  const text = formatCheckpoint({ origin, size: n, root: range.root() });
  const note = signNote(text, signer);
  const receipt = (i: number, cp = note) =>
    formatTlogProof({
      index: i,
      hashes: inclusionProof(i, n, node),
      checkpoint: cp,
      extra: msgs[i] as Buffer,
    });
  return { keys, signer, msgs, text, note, receipt, vkey: parseVerifierKey(keys.vkey) };
}

describe("checkpoints", () => {
  it("round-trip and refuse malformed bodies", () => {
    const root = Buffer.alloc(32, 7);
    const text = formatCheckpoint({ origin: "weft/x/actions", size: 12, root });
    expect(parseCheckpoint(text)).toEqual({ origin: "weft/x/actions", size: 12, root, extensions: [] });
    for (const bad of [
      "o\n012\nAAAA\n",
      "o\n1\n",
      "\n1\n" + root.toString("base64") + "\n",
      "o\n1\nAAAA\n",
      "o\n-1\n" + root.toString("base64") + "\n",
    ]) {
      expect(() => parseCheckpoint(bad)).toThrow();
    }
  });
});

describe("receipts", () => {
  const log = makeLog(37);
  it("verify offline with only the log's key and give back the record", () => {
    const r = verifyReceipt(log.receipt(20), { logKeys: [log.vkey] });
    expect(r.index).toBe(20);
    expect(r.seq).toBe(20);
    expect(r.payloadText).toBe('{"action_id":"a20"}');
    expect(r.checkpoint.size).toBe(37);
  });
  it("survive a Go-style parse/format round trip byte for byte", () => {
    const text = log.receipt(5);
    const p = parseTlogProof(text);
    expect(formatTlogProof(p)).toBe(text);
  });
  it("fail with any single flipped bit", () => {
    const text = log.receipt(11);
    let rejected = 0;
    let total = 0;
    for (let i = 0; i < text.length; i += 7) {
      for (const bit of [1, 4]) {
        const flipped = text.slice(0, i) + String.fromCharCode(text.charCodeAt(i) ^ bit) + text.slice(i + 1);
        if (flipped === text) continue;
        total++;
        try {
          verifyReceipt(flipped, { logKeys: [log.vkey] });
        } catch {
          rejected++;
        }
      }
    }
    expect(rejected).toBe(total);
  });
  it("fail when extra is swapped for another record", () => {
    const a = parseTlogProof(log.receipt(3));
    const swapped = formatTlogProof({ ...a, extra: log.msgs[4] as Buffer });
    expect(() => verifyReceipt(swapped, { logKeys: [log.vkey] })).toThrow(/not in the checkpointed tree/);
  });
  it("fail with another log's checkpoint, or an origin other than expected", () => {
    const other = makeLog(37, "weft/other/actions", "b");
    const mixed = formatTlogProof({ ...parseTlogProof(log.receipt(3)), checkpoint: other.note });
    expect(() => verifyReceipt(mixed, { logKeys: [log.vkey] })).toThrow(/no trusted key/);
    expect(() => verifyReceipt(mixed, { logKeys: [other.vkey] })).toThrow(/not in the checkpointed tree/);
    expect(() =>
      verifyReceipt(log.receipt(3), { logKeys: [log.vkey], origin: "weft/other/actions" }),
    ).toThrow(/origin/);
  });
});

describe("witness cosignatures and tlog-policy quorums", () => {
  const log = makeLog(9);
  const witnesses = [1, 2, 3].map((i) => {
    const k = parseSignerKey(generateNoteKey(`w${i}.test`).skey);
    return { name: `w${i}.test`, signer: k, vkey: cosignerVerifierKey(`w${i}.test`, k.publicKey) };
  });
  const cosigned = (which: number[]) =>
    log.note +
    which
      .map(
        (i) =>
          `${cosignatureLine(log.text, witnesses[i]!.name, witnesses[i]!.signer, 1_700_000_000n + BigInt(i))}\n`,
      )
      .join("");
  const policy = parseTlogPolicy(
    [
      `log ${log.keys.vkey}`,
      ...witnesses.map((w, i) => `witness W${i + 1} ${w.vkey} http://127.0.0.1:1/`),
      "# two of three",
      "group two 2 W1 W2 W3",
      "quorum two",
      "",
    ].join("\n"),
  );
  it("meets a 2-of-3 quorum with two cosignatures and reports their times", () => {
    const v = verifyCheckpointNote(cosigned([0, 2]), { policy });
    expect([...v.cosignatures.keys()].sort()).toEqual(["W1", "W3"]);
    expect(v.cosignatures.get("W3")?.timestamp).toBe(1_700_000_002n);
  });
  it("refuses one cosignature, and a forged one", () => {
    expect(() => verifyCheckpointNote(cosigned([1]), { policy })).toThrow(/quorum/);
    const forged =
      cosigned([0]) +
      `${cosignatureLine(log.text.replace("9", "8"), witnesses[1]!.name, witnesses[1]!.signer, 1n)}\n`;
    expect(() => verifyCheckpointNote(forged, { policy })).toThrow(/does not verify/);
  });
  it("puts cosignatures into receipts that verify under the policy", () => {
    const r = verifyReceipt(log.receipt(4, cosigned([0, 1])), { policy });
    expect(r.cosignatures.size).toBe(2);
  });
  it("rejects malformed policies with the line number", () => {
    expect(() => parseTlogPolicy("quorum W1\n")).toThrow(/line 1/);
    expect(() => parseTlogPolicy(`witness W1 ${witnesses[0]!.vkey}\ngroup g 3 W1\nquorum g\n`)).toThrow(
      /line 2/,
    );
    expect(() => parseTlogPolicy(`log ${log.keys.vkey}\n`)).toThrow(/no quorum/);
    expect(() => parseTlogPolicy(`witness W1 ${log.keys.vkey}\nquorum W1\n`)).toThrow(/key type/);
  });
});
