// The HMAC chain, weaver-kernel chain v1: record_hash = HMAC-SHA256(secret, canonical
// {"prev_hash","seq","trace"}), genesis 64 zeros. Pure apart from node:crypto. The payload key is
// "trace" in every Weft chain (actions and spans), so the reference's verify_chain checks any of them.

import { createHash, createHmac, createSecretKey, type KeyObject } from "node:crypto";
import { canonicalize, canonicalString } from "./canonical.js";
import { parseJsonLossless } from "./json-lossless.js";
import type { ChainRecord, VerifyResult } from "./types.js";

export const CHAIN_VERSION = "1";
export const GENESIS_HASH = "0".repeat(64);
/** Name of the payload member in the signed envelope (the reference calls the payload "trace"). */
export const PAYLOAD_KEY = "trace";

/** Prefix of the signed message up to the payload; the message is `prefix + canonical(payload) + "}"`. */
export function messagePrefix(seq: number, prevHash: string): string {
  return `{"prev_hash":${canonicalString(prevHash)},"seq":${seq},"${PAYLOAD_KEY}":`;
}

/** The exact string the chain HMACs for one record. */
export function canonicalRecordMessage(seq: number, prevHash: string, payload: unknown): string {
  return `${messagePrefix(seq, prevHash)}${canonicalize(payload)}}`;
}

/** Scratch buffers above this size are dropped after use, so one huge record does not pin memory. */
const SCRATCH_KEEP = 1 << 20;

/** Keyed hasher made once per store: the key is imported once, not per record. */
export class RecordHasher {
  readonly #key: KeyObject;
  /** Reused message bytes: prefix, payload and "}" are copied here and hashed in one update. */
  #scratch = Buffer.allocUnsafe(16 * 1024);
  constructor(secret: string) {
    this.#key = createSecretKey(Buffer.from(secret, "utf8"));
  }
  /** The raw key bytes, for verify's hashing workers (never logged, never sent anywhere else). */
  keyBytes(): Buffer {
    return this.#key.export();
  }
  /** HMAC of a message that is already canonical (hex, lowercase). */
  hashMessage(message: string): string {
    return createHmac("sha256", this.#key).update(message, "utf8").digest("hex");
  }
  /**
   * record_hash of `(seq, prevHash, payload text)` where the text came from a canonicalizer —
   * ASCII by construction (ensure_ascii), so latin1 yields its UTF-8 bytes without an encoder pass.
   * Never use this for text read from storage: latin1 would fold U+0141 onto "A" and so on.
   */
  hashCanonical(seq: number, prevHash: string, canonicalPayload: string): string {
    const end = this.#write(seq, prevHash, canonicalPayload);
    return this.#hmac(end);
  }

  /**
   * record_hash and the Merkle leaf hash (SHA-256(0x00 ‖ message)) of one canonical record, from
   * the one copy of the message already in the scratch buffer: the leaf costs one extra SHA-256.
   */
  hashCanonicalLeaf(
    seq: number,
    prevHash: string,
    canonicalPayload: string,
  ): { recordHash: string; leaf: Buffer } {
    const end = this.#write(seq, prevHash, canonicalPayload);
    const leaf = leafHashOf(this.#scratch, end);
    return { recordHash: this.#hmac(end), leaf };
  }

  /** Writes `prefix + payload + "}"` into the scratch buffer; returns the message length. */
  #write(seq: number, prevHash: string, canonicalPayload: string): number {
    const prefix = messagePrefix(seq, prevHash);
    const length = prefix.length + canonicalPayload.length + 1;
    if (length > this.#scratch.length)
      this.#scratch = Buffer.allocUnsafe(Math.max(length, 2 * this.#scratch.length));
    const buf = this.#scratch;
    const at = buf.write(prefix, 0, "latin1");
    const end = at + buf.write(canonicalPayload, at, "latin1");
    buf[end] = 0x7d; // "}"
    return end + 1;
  }

  #hmac(length: number): string {
    const hash = createHmac("sha256", this.#key).update(this.#scratch.subarray(0, length)).digest("hex");
    if (this.#scratch.length > SCRATCH_KEEP) this.#scratch = Buffer.allocUnsafe(16 * 1024);
    return hash;
  }

  /** record_hash of `(seq, prevHash, payload text)` for text of unknown origin (UTF-8 encoded). */
  hashStored(seq: number, prevHash: string, payloadText: string): string {
    return createHmac("sha256", this.#key)
      .update(messagePrefix(seq, prevHash), "utf8")
      .update(payloadText, "utf8")
      .update("}", "utf8")
      .digest("hex");
  }
}

/** SHA-256(0x00 ‖ buf[0:length]) without copying the message. */
function leafHashOf(buf: Buffer, length: number): Buffer {
  return createHash("sha256").update(LEAF_PREFIX).update(buf.subarray(0, length)).digest();
}
const LEAF_PREFIX = Buffer.from([0x00]);

/** The canonical message bytes of a stored row (what a Merkle leaf and a receipt's `extra` hold). */
export function storedMessage(seq: number, prevHash: string, payloadText: string): Buffer {
  return Buffer.from(`${messagePrefix(seq, prevHash)}${payloadText}}`, "utf8");
}

/** record_hash of one record: lowercase hex HMAC-SHA256 of its canonical message. */
export function computeRecordHash(secret: string, seq: number, prevHash: string, payload: unknown): string {
  return createHmac("sha256", Buffer.from(secret, "utf8"))
    .update(canonicalRecordMessage(seq, prevHash, payload), "utf8")
    .digest("hex");
}

/** Compares two strings in time independent of where they differ (like hmac.compare_digest). */
export function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * One record's payload for ChainVerifier.step: a value, or stored text. `storedMatch` (from the
 * parallel hashing workers) says whether HMAC(prefix + text + "}") equalled the stored hash; when
 * false, the re-canonicalization fallback still runs here, exactly as in the serial path.
 */
export type StepPayload =
  | { text: string; reparse?: () => unknown; storedMatch?: boolean }
  | { value: unknown };

/**
 * Streaming verifier with the reference's semantics: per record, contiguity, then link, then
 * hash; stops at the first failure. Backends feed it rows as they read them (constant memory).
 */
export class ChainVerifier {
  #expectedPrev: string;
  #expectedSeq: number | null = null;
  #checked = 0;
  #failure: VerifyResult | null = null;

  constructor(
    private readonly hasher: RecordHasher,
    genesisPrevHash: string = GENESIS_HASH,
    /** Seq the first record must carry (the chain's authenticated start); null accepts any. */
    firstSeq: number | null = null,
  ) {
    this.#expectedPrev = genesisPrevHash;
    this.#expectedSeq = firstSeq;
  }

  get failed(): boolean {
    return this.#failure !== null;
  }

  get checked(): number {
    return this.#checked;
  }

  /**
   * Checks one record. `payload` is either stored text (JSON) or a value. Stored text is tried
   * as-is first (Weft stores canonical text, so no parse is needed); only when that HMAC does not
   * match is it parsed and re-canonicalized, which is what the reference does for every record.
   * Returns false once the chain has failed.
   */
  step(seq: number, prevHash: string, recordHash: string, payload: StepPayload): boolean {
    if (this.#failure) return false;
    const n = ++this.#checked;
    if (this.#expectedSeq === null) this.#expectedSeq = seq;
    if (seq !== this.#expectedSeq) {
      return this.#fail(
        seq,
        `Non-contiguous sequence at position ${n}: expected seq ${this.#expectedSeq}, found ${seq} (insertion, deletion, or reorder).`,
      );
    }
    if (!constantTimeEqual(prevHash, this.#expectedPrev)) {
      return this.#fail(
        seq,
        `Broken link at seq ${seq}: prev_hash does not match the preceding record's hash (insertion, deletion, or reorder).`,
      );
    }
    if (!this.#hashMatches(seq, prevHash, recordHash, payload)) {
      return this.#fail(
        seq,
        `Tampered record at seq ${seq}: content does not match its stored hash (mutation, or wrong secret).`,
      );
    }
    this.#expectedPrev = recordHash;
    this.#expectedSeq = seq + 1;
    return true;
  }

  #hashMatches(seq: number, prevHash: string, recordHash: string, payload: StepPayload): boolean {
    if ("value" in payload) {
      return constantTimeEqual(
        this.hasher.hashCanonical(seq, prevHash, canonicalize(payload.value)),
        recordHash,
      );
    }
    // `storedMatch` is the same stored-text HMAC comparison, already done by a hashing worker.
    if (payload.storedMatch === true) return true;
    if (
      payload.storedMatch === undefined &&
      constantTimeEqual(this.hasher.hashStored(seq, prevHash, payload.text), recordHash)
    )
      return true;
    let canonical: string;
    try {
      canonical = canonicalize(payload.reparse ? payload.reparse() : parseJsonLossless(payload.text));
    } catch {
      return false; // unreadable payload: it cannot be what was signed
    }
    if (canonical === payload.text) return false;
    return constantTimeEqual(this.hasher.hashCanonical(seq, prevHash, canonical), recordHash);
  }

  /** Records a failure found outside the hash check (index columns, start); returns false. */
  fail(seq: number, detail: string): false {
    if (this.#failure) return false;
    return this.#fail(seq, detail);
  }

  #fail(seq: number, detail: string): false {
    this.#failure = { ok: false, recordsChecked: this.#checked, firstBadSeq: seq, detail };
    return false;
  }

  result(): VerifyResult {
    if (this.#failure) return this.#failure;
    return {
      ok: true,
      recordsChecked: this.#checked,
      firstBadSeq: null,
      detail: `Verified ${this.#checked} record(s).`,
    };
  }
}

/** Verifies records given in ascending seq order (reference `verify_chain`). */
export function verifyChain(
  records: Iterable<ChainRecord<unknown>>,
  options: { secret: string; genesisPrevHash?: string },
): VerifyResult {
  const v = new ChainVerifier(new RecordHasher(options.secret), options.genesisPrevHash ?? GENESIS_HASH);
  for (const r of records) {
    if (!v.step(r.seq, r.prevHash, r.recordHash, { value: r.payload })) break;
  }
  return v.result();
}
