// C2SP tlog-checkpoint bodies (origin, size, base64 root) and tlog-cosignature/v1 witness
// signatures over them. Pure: no I/O, no clock (callers pass the cosignature time).

import { sign, verify } from "node:crypto";
import { FormatError } from "./errors.js";
import { HASH_SIZE } from "./merkle.js";
import {
  ALG_COSIGNATURE_V1,
  hasControlCharacter,
  isValidKeyName,
  keyId,
  type NoteSignature,
  type NoteSignerKey,
  type NoteVerifierKey,
} from "./note.js";

export interface Checkpoint {
  readonly origin: string;
  readonly size: number;
  readonly root: Buffer;
  /** Extension lines after the root, without newlines (Weft writes none). */
  readonly extensions: readonly string[];
}

const SIZE_RE = /^(0|[1-9][0-9]{0,19})$/;

/** The note text of a checkpoint. */
export function formatCheckpoint(cp: { origin: string; size: number; root: Uint8Array }): string {
  if (cp.origin === "" || hasControlCharacter(cp.origin, false)) {
    throw new FormatError("CHECKPOINT_MALFORMED", "checkpoint origin must be a non-empty line");
  }
  if (!Number.isSafeInteger(cp.size) || cp.size < 0)
    throw new FormatError("CHECKPOINT_MALFORMED", "checkpoint size must be a non-negative integer");
  if (cp.root.length !== HASH_SIZE)
    throw new FormatError("CHECKPOINT_MALFORMED", "checkpoint root must be 32 bytes");
  return `${cp.origin}\n${cp.size}\n${Buffer.from(cp.root).toString("base64")}\n`;
}

/** Parses checkpoint note text (the part before the signatures). */
export function parseCheckpoint(text: string): Checkpoint {
  if (!text.endsWith("\n"))
    throw new FormatError("CHECKPOINT_MALFORMED", "checkpoint text must end in a newline");
  const lines = text.slice(0, -1).split("\n");
  if (lines.length < 3)
    throw new FormatError("CHECKPOINT_MALFORMED", "checkpoint needs origin, size and root lines");
  const [origin, sizeText, rootText, ...extensions] = lines as [string, string, string, ...string[]];
  if (origin === "") throw new FormatError("CHECKPOINT_MALFORMED", "checkpoint origin is empty");
  if (!SIZE_RE.test(sizeText))
    throw new FormatError("CHECKPOINT_MALFORMED", "checkpoint size is not a decimal without leading zeros");
  const size = Number(sizeText);
  if (!Number.isSafeInteger(size))
    throw new FormatError("CHECKPOINT_MALFORMED", "checkpoint size is beyond 2^53");
  const root = Buffer.from(rootText, "base64");
  if (root.length !== HASH_SIZE || root.toString("base64") !== rootText) {
    throw new FormatError("CHECKPOINT_MALFORMED", "checkpoint root is not base64 of 32 bytes");
  }
  for (const e of extensions)
    if (e === "") throw new FormatError("CHECKPOINT_MALFORMED", "checkpoint has an empty extension line");
  return { origin, size, root, extensions };
}

/** The message a cosignature/v1 signs: a header with the time, then the checkpoint body. */
export function cosignedMessage(checkpointText: string, timestamp: bigint): Buffer {
  return Buffer.from(`cosignature/v1\ntime ${timestamp}\n${checkpointText}`, "utf8");
}

export interface Cosignature {
  readonly name: string;
  readonly keyId: number;
  /** Seconds since the Unix epoch, as the witness stated it. */
  readonly timestamp: bigint;
}

/** Checks a note signature line as a tlog-cosignature/v1 by `key` (type 0x04). */
export function verifyCosignature(
  checkpointText: string,
  sig: NoteSignature,
  key: NoteVerifierKey,
): Cosignature | null {
  if (key.type !== ALG_COSIGNATURE_V1 || sig.name !== key.name || sig.keyId !== key.keyId) return null;
  if (sig.signature.length !== 8 + 64) return null;
  const timestamp = sig.signature.readBigUInt64BE(0);
  if (timestamp >= 1n << 63n) return null;
  const ok = verify(null, cosignedMessage(checkpointText, timestamp), key.key, sig.signature.subarray(8));
  return ok ? { name: key.name, keyId: key.keyId, timestamp } : null;
}

/** A cosignature/v1 line by an Ed25519 key (what a witness does; used by tests and by a Weft-run witness). */
export function cosignatureLine(
  checkpointText: string,
  name: string,
  signer: NoteSignerKey,
  timestamp: bigint,
): string {
  if (!isValidKeyName(name)) throw new FormatError("KEY_MALFORMED", "invalid cosigner name");
  const id = keyId(name, ALG_COSIGNATURE_V1, signer.publicKey);
  const head = Buffer.alloc(12);
  head.writeUInt32BE(id, 0);
  head.writeBigUInt64BE(timestamp, 4);
  const sig = sign(null, cosignedMessage(checkpointText, timestamp), signer.key);
  return `\u2014 ${name} ${Buffer.concat([head, sig]).toString("base64")}`;
}

/** The cosigner verifier key (`name+id+base64(0x04 ‖ pub)`) of an Ed25519 key. */
export function cosignerVerifierKey(name: string, publicKey: Uint8Array): string {
  const id = keyId(name, ALG_COSIGNATURE_V1, publicKey);
  const b64 = Buffer.concat([Buffer.from([ALG_COSIGNATURE_V1]), publicKey]).toString("base64");
  return `${name}+${id.toString(16).padStart(8, "0")}+${b64}`;
}
