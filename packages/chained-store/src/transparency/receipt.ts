// Offline verification of signed checkpoints and tlog-proof receipts: needs only the log's
// verifier key (and optionally a tlog-policy), never the store or the HMAC secret. Follows the
// tlog-proof verification steps: leaf hash, log signature and origin, cosignatures against the
// policy's quorum, inclusion. Pure.

import { type Checkpoint, type Cosignature, parseCheckpoint, verifyCosignature } from "./checkpoint.js";
import { FormatError, NoteUnverifiedError, TransparencyError } from "./errors.js";
import { leafHash, verifyInclusion } from "./merkle.js";
import { type NoteVerifierKey, openNote } from "./note.js";
import { quorumSatisfied, type TlogPolicy } from "./tlog-policy.js";
import { parseTlogProof } from "./tlog-proof.js";

export interface VerifiedCheckpoint {
  readonly checkpoint: Checkpoint;
  /** The checkpoint body as signed. */
  readonly text: string;
  readonly signedBy: readonly NoteVerifierKey[];
  /** Verified witness cosignatures (policy witness name → cosignature). */
  readonly cosignatures: ReadonlyMap<string, Cosignature>;
}

export interface TrustOptions {
  /** Log keys trusted in addition to the policy's `log` lines. */
  readonly logKeys?: readonly NoteVerifierKey[];
  readonly policy?: TlogPolicy;
  /** Required origin line, when the caller knows which log it expects. */
  readonly origin?: string;
}

/** Verifies a signed checkpoint note: log signature, origin, witness cosignatures, quorum. */
export function verifyCheckpointNote(note: string, trust: TrustOptions): VerifiedCheckpoint {
  const keys = [...(trust.logKeys ?? []), ...(trust.policy?.logs.map((l) => l.key) ?? [])];
  if (keys.length === 0) throw new NoteUnverifiedError("no log key to verify the checkpoint with");
  const { text, signatures, verifiedBy } = openNote(note, keys);
  const checkpoint = parseCheckpoint(text);
  if (trust.origin !== undefined && checkpoint.origin !== trust.origin) {
    throw new TransparencyError(
      "CHECKPOINT_MISMATCH",
      `checkpoint origin is ${JSON.stringify(checkpoint.origin)}, expected ${JSON.stringify(trust.origin)}`,
    );
  }
  const cosignatures = new Map<string, Cosignature>();
  if (trust.policy) {
    for (const sig of signatures) {
      for (const w of trust.policy.witnesses.values()) {
        if (w.key.name !== sig.name || w.key.keyId !== sig.keyId) continue;
        const c = verifyCosignature(text, sig, w.key);
        if (c === null) throw new NoteUnverifiedError(`cosignature by witness ${w.name} does not verify`);
        cosignatures.set(w.name, c);
      }
    }
    if (!quorumSatisfied(trust.policy, new Set(cosignatures.keys()))) {
      throw new TransparencyError(
        "POLICY_UNSATISFIED",
        `witness quorum ${trust.policy.quorum} not met (verified cosigners: ${[...cosignatures.keys()].join(", ") || "none"})`,
      );
    }
  }
  return { checkpoint, text, signedBy: verifiedBy, cosignatures };
}

/** What a verified Weft receipt proves: this record is entry `index` of the signed tree. */
export interface VerifiedReceipt extends VerifiedCheckpoint {
  readonly index: number;
  /** The record's canonical message (the bytes whose HMAC is its record_hash). */
  readonly message: Buffer;
  readonly seq: number;
  readonly prevHash: string;
  /** The record payload, as JSON text exactly as signed. */
  readonly payloadText: string;
}

const MESSAGE_RE = /^\{"prev_hash":"([0-9a-f]{64})","seq":(0|[1-9][0-9]*),"trace":([\s\S]*)\}$/;

/** Verifies a `c2sp.org/tlog-proof@v1` receipt written by `weft audit prove`. */
export function verifyReceipt(text: string, trust: TrustOptions): VerifiedReceipt {
  const proof = parseTlogProof(text);
  if (proof.extra === null)
    throw new FormatError("RECEIPT_MALFORMED", "receipt has no extra line with the record");
  // Step 1 (application-specific): the leaf is the record's canonical message itself.
  const leaf = leafHash(proof.extra);
  const cp = verifyCheckpointNote(proof.checkpoint, trust);
  if (proof.index >= cp.checkpoint.size) {
    throw new TransparencyError(
      "RECEIPT_INVALID",
      `receipt index ${proof.index} is not below the checkpoint size ${cp.checkpoint.size}`,
    );
  }
  try {
    verifyInclusion(proof.index, cp.checkpoint.size, leaf, proof.hashes, cp.checkpoint.root);
  } catch (e) {
    throw new TransparencyError(
      "RECEIPT_INVALID",
      `record is not in the checkpointed tree: ${(e as Error).message}`,
    );
  }
  const message = proof.extra;
  const m = MESSAGE_RE.exec(message.toString("utf8"));
  if (!m) throw new TransparencyError("RECEIPT_INVALID", "extra is not a Weft record message");
  const seq = Number(m[2]);
  if (seq !== proof.index)
    throw new TransparencyError(
      "RECEIPT_INVALID",
      `record seq ${seq} is not the receipt index ${proof.index}`,
    );
  return { ...cp, index: proof.index, message, seq, prevHash: m[1] as string, payloadText: m[3] as string };
}
