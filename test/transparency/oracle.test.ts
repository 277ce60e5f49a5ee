// An independent implementation agrees: the Go program in ./oracle (x/mod sumdb/note + sumdb/tlog,
// transparency-dev/merkle v0.0.2, transparency-dev/formats v0.1.1) verifies the checkpoints,
// receipts and consistency proofs a real Weft store produces, and rejects tampered ones.

import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  cosignatureLine,
  cosignerVerifierKey,
  formatTlogProof,
  generateNoteKey,
  openStore,
  parseSignerKey,
  parseTlogProof,
} from "@weft/chained-store";
import { afterAll, describe, expect, it } from "vitest";
import { buildOracle } from "./go-tools.js";

const build = buildOracle();
if (!build.ok) console.warn(`SKIPPED: Go oracle tests: ${build.reason}`);
const dir = mkdtempSync(join(tmpdir(), "weft-oracle-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Result {
  ok: boolean;
  error?: string;
  cosigners: number;
}

function oracle(input: unknown): Record<"checkpoints" | "receipts" | "consistency", Result[]> {
  if (!build.ok) throw new Error("unreachable");
  const r = spawnSync(build.bin, [], { input: JSON.stringify(input), encoding: "utf8", timeout: 60_000 });
  if (r.status !== 0) throw new Error(`oracle failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

function trace(i: number) {
  return {
    actionId: `act-${i}`,
    capabilityId: "crm.read",
    principalId: `agent-${i % 3}`,
    tokenId: `tok-${i}`,
    invokedAt: `2026-03-01T10:00:${String(i % 60).padStart(2, "0")}+00:00`,
    args: { id: i, note: "Zoë ✓ \u2028" },
    responseMode: "summary" as const,
    driverId: "memory",
    handleId: null,
    error: null,
    resultSummary: null,
    sensitivity: "NONE" as const,
    eventType: "invoke" as const,
    reasonCode: null,
  };
}

describe.skipIf(!build.ok)("Go oracle (x/mod sumdb + transparency-dev merkle/formats)", () => {
  const keys = generateNoteKey("weft.test/oracle-log");
  const path = join(dir, "oracle.sqlite");
  const store = openStore({
    path,
    secret: "oracle-secret",
    signingKey: keys.skey,
    checkpoint: { everyRecords: 97, intervalMs: 0 },
  });
  for (let i = 0; i < 1000; i++) store.actions.append(trace(i) as never);
  store.transparency!.publish();
  const t = store.transparency!;
  const origin = t.origin("actions");
  const cps = t.checkpoints("actions");
  // A cosigner (Ed25519 cosignature/v1) on the latest checkpoint, so the oracle checks those too.
  const witness = parseSignerKey(generateNoteKey("witness.test").skey);
  const latest = cps.at(-1)!;
  const body = latest.note.slice(0, latest.note.indexOf("\n\n") + 1);
  t.addCosignatures("actions", latest.size, [cosignatureLine(body, "witness.test", witness, 1_760_000_000n)]);
  const cosigner = cosignerVerifierKey("witness.test", witness.publicKey);
  const seqs = [0, 1, 96, 97, 255, 256, 511, 998, 999];
  const receipts = seqs.map((s) => t.receipt("actions", s));

  it("accepts every checkpoint, receipt and consistency proof", () => {
    const all = t.checkpoints("actions");
    const pairs = [];
    for (const a of all)
      for (const b of all)
        if (a.size <= b.size)
          pairs.push({
            size1: a.size,
            size2: b.size,
            root1: a.root.toString("base64"),
            root2: b.root.toString("base64"),
            proof: t.consistencyProof("actions", a.size, b.size).map((h) => h.toString("base64")),
          });
    const out = oracle({
      vkey: keys.vkey,
      origin,
      cosigners: [cosigner],
      checkpoints: all.map((c) => c.note),
      receipts,
      consistency: pairs,
    });
    expect(all.length).toBe(11);
    for (const r of out.checkpoints) expect(r).toMatchObject({ ok: true });
    expect(out.checkpoints.at(-1)?.cosigners).toBe(1);
    for (const [i, r] of out.receipts.entries())
      expect(r, `receipt for seq ${seqs[i]}`).toEqual({ ok: true, cosigners: 1 });
    expect(out.consistency).toHaveLength(pairs.length);
    for (const r of out.consistency) expect(r.ok, r.error).toBe(true);
  });

  it("rejects tampered receipts, checkpoints and proofs", () => {
    const base = receipts[4] as string;
    const p = parseTlogProof(base);
    const flipped = base.replace(
      /^(index \d+\n)(.)/m,
      (_m, a: string, c: string) => a + (c === "A" ? "B" : "A"),
    );
    const swapped = formatTlogProof({ ...p, extra: parseTlogProof(receipts[5] as string).extra });
    const other = generateNoteKey("weft.test/oracle-log");
    const otherStore = openStore({
      path: join(dir, "other.sqlite"),
      secret: "oracle-secret",
      signingKey: other.skey,
      checkpoint: { intervalMs: 0 },
    });
    for (let i = 0; i < 300; i++) otherStore.actions.append(trace(i) as never);
    const foreign = formatTlogProof({
      ...p,
      checkpoint: otherStore.transparency!.publish("actions")[0]!.note,
    });
    otherStore.close();
    const wrongIndex = formatTlogProof({ ...p, index: p.index + 1 });
    const cp = cps[2]!;
    const editedCp = cp.note.replace(/^\d+$/m, String(cp.size + 1));
    const a = cps[1]!;
    const b = cps[5]!;
    const proof = t.consistencyProof("actions", a.size, b.size).map((h) => h.toString("base64"));
    const badRoot = Buffer.from(a.root);
    badRoot.writeUInt8(badRoot.readUInt8(0) ^ 1, 0);
    const out = oracle({
      vkey: keys.vkey,
      origin,
      cosigners: [],
      checkpoints: [editedCp, cp.note.replace(origin, `${origin}x`)],
      receipts: [flipped, swapped, foreign, wrongIndex],
      consistency: [
        {
          size1: a.size,
          size2: b.size,
          root1: badRoot.toString("base64"),
          root2: b.root.toString("base64"),
          proof,
        },
        {
          size1: a.size,
          size2: b.size,
          root1: a.root.toString("base64"),
          root2: b.root.toString("base64"),
          proof: proof.slice(1),
        },
        {
          size1: a.size,
          size2: b.size,
          root1: a.root.toString("base64"),
          root2: b.root.toString("base64"),
          proof: [...proof.slice(0, -1), badRoot.toString("base64")],
        },
      ],
    });
    for (const [kind, list] of Object.entries(out))
      for (const [i, r] of list.entries()) expect(r.ok, `${kind} ${i}`).toBe(false);
  });

  afterAll(() => store.close());
});
