// C2SP signed-note: Ed25519 note keys (signer `PRIVATE+KEY+name+id+base64(0x01‖seed)`,
// verifier `name+id+base64(type‖pub)`), signing, and opening a note against trusted keys.
// Pure: node:crypto only. Notes and keys arrive from files an attacker may have written, so the
// parser checks every byte rule of the spec before any signature is looked at.

import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  hash,
  type KeyObject,
  sign,
  verify,
} from "node:crypto";
import { FormatError, NoteUnverifiedError } from "./errors.js";

export const ALG_ED25519 = 0x01;
export const ALG_COSIGNATURE_V1 = 0x04;

/** PKCS#8 DER prefix of an Ed25519 private key; the 32-byte seed follows. */
const PKCS8_ED25519_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");
/** SPKI DER prefix of an Ed25519 public key; the 32-byte key follows. */
const SPKI_ED25519_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

/** The base64 part may itself contain "+": split on the first two only (a regex, never split("+")). */
const VKEY_RE = /^([^+]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/]+={0,2})$/;
const SKEY_RE = /^PRIVATE\+KEY\+([^+]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/]+={0,2})$/;
const SIG_LINE_RE = /^\u2014 (\S+) ([A-Za-z0-9+/]+={0,2})$/;
/** Verifiers must accept at least 16 signatures; more than this is refused as abuse. */
export const MAX_SIGNATURES = 100;

/** Key names: non-empty, no whitespace, no "+" (signed-note §Verifier keys). */
export function isValidKeyName(name: string): boolean {
  return name.length > 0 && !/[\s+]/u.test(name) && !hasControlCharacter(name, false);
}

/** C0 controls, DEL and U+FFFD (what bad UTF-8 decodes to); `\n` allowed when `newlines`. */
export function hasControlCharacter(text: string, newlines: boolean): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a && newlines) continue;
    if (c < 0x20 || c === 0x7f || c === 0xfffd) return true;
  }
  return false;
}

/** key ID = first 4 bytes of SHA-256(name ‖ 0x0A ‖ type ‖ public key), big-endian. */
export function keyId(name: string, type: number, publicKey: Uint8Array): number {
  const h = hash(
    "sha256",
    Buffer.concat([Buffer.from(name, "utf8"), Buffer.from([0x0a, type]), publicKey]),
    "buffer",
  );
  return h.readUInt32BE(0);
}

function hex8(id: number): string {
  return id.toString(16).padStart(8, "0");
}

function strictBase64(text: string, what: string): Buffer {
  const buf = Buffer.from(text, "base64");
  // Node's decoder ignores junk; re-encoding catches non-canonical or truncated input.
  if (buf.toString("base64") !== text)
    throw new FormatError("KEY_MALFORMED", `${what} is not canonical base64`);
  return buf;
}

export interface NoteVerifierKey {
  readonly name: string;
  readonly keyId: number;
  /** 0x01 Ed25519 note signature, 0x04 Ed25519 cosignature/v1. */
  readonly type: number;
  readonly publicKey: Buffer;
  readonly key: KeyObject;
  /** The key in vkey text form. */
  readonly vkey: string;
}

export interface NoteSignerKey {
  readonly name: string;
  readonly keyId: number;
  readonly key: KeyObject;
  readonly publicKey: Buffer;
  /** The matching verifier key (type 0x01). */
  readonly verifier: NoteVerifierKey;
}

function ed25519Public(raw: Buffer): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, raw]), format: "der", type: "spki" });
}

/** Parses a verifier key `name+id+base64(type ‖ pub)`; checks the id against the key. */
export function parseVerifierKey(text: string): NoteVerifierKey {
  const m = VKEY_RE.exec(text.trim());
  if (!m) throw new FormatError("KEY_MALFORMED", "verifier key is not of the form name+id+base64");
  const [, name, id, b64] = m as unknown as [string, string, string, string];
  if (!isValidKeyName(name)) throw new FormatError("KEY_MALFORMED", "verifier key has an invalid name");
  const raw = strictBase64(b64, "verifier key");
  const type = raw[0];
  if ((type !== ALG_ED25519 && type !== ALG_COSIGNATURE_V1) || raw.length !== 33) {
    throw new FormatError(
      "KEY_MALFORMED",
      "verifier key is not an Ed25519 (0x01) or cosignature/v1 (0x04) key",
    );
  }
  const publicKey = raw.subarray(1);
  const computed = keyId(name, type, publicKey);
  if (hex8(computed) !== id) throw new FormatError("KEY_MALFORMED", "verifier key id does not match its key");
  return {
    name,
    keyId: computed,
    type,
    publicKey,
    key: ed25519Public(publicKey),
    vkey: `${name}+${id}+${b64}`,
  };
}

/** Parses a signer key `PRIVATE+KEY+name+id+base64(0x01 ‖ seed)`. */
export function parseSignerKey(text: string): NoteSignerKey {
  const m = SKEY_RE.exec(text.trim());
  if (!m) throw new FormatError("KEY_MALFORMED", "signing key is not of the form PRIVATE+KEY+name+id+base64");
  const [, name, id, b64] = m as unknown as [string, string, string, string];
  if (!isValidKeyName(name)) throw new FormatError("KEY_MALFORMED", "signing key has an invalid name");
  const raw = strictBase64(b64, "signing key");
  if (raw[0] !== ALG_ED25519 || raw.length !== 33) {
    throw new FormatError("KEY_MALFORMED", "signing key is not an Ed25519 (0x01) key");
  }
  return signerFromSeed(name, raw.subarray(1), id);
}

function signerFromSeed(name: string, seed: Buffer, expectId?: string): NoteSignerKey {
  const key = createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]),
    format: "der",
    type: "pkcs8",
  });
  const spki = createPublicKey(key).export({ format: "der", type: "spki" });
  const publicKey = Buffer.from(spki.subarray(spki.length - 32));
  const id = keyId(name, ALG_ED25519, publicKey);
  // The id in a signer key is the verifier's id; a mismatch means the file was edited.
  if (expectId !== undefined && hex8(id) !== expectId)
    throw new FormatError("KEY_MALFORMED", "signing key id does not match its key");
  const vb64 = Buffer.concat([Buffer.from([ALG_ED25519]), publicKey]).toString("base64");
  const verifier: NoteVerifierKey = {
    name,
    keyId: id,
    type: ALG_ED25519,
    publicKey,
    key: createPublicKey(key),
    vkey: `${name}+${hex8(id)}+${vb64}`,
  };
  return { name, keyId: id, key, publicKey, verifier };
}

/** A fresh Ed25519 note key pair: the signer key text (secret) and the verifier key text. */
export function generateNoteKey(name: string): { skey: string; vkey: string } {
  if (!isValidKeyName(name))
    throw new FormatError("KEY_MALFORMED", "key names must be non-empty, without spaces or '+'");
  const { privateKey } = generateKeyPairSync("ed25519");
  const der = privateKey.export({ format: "der", type: "pkcs8" });
  const seed = Buffer.from(der.subarray(der.length - 32));
  const s = signerFromSeed(name, seed);
  const skey = `PRIVATE+KEY+${name}+${hex8(s.keyId)}+${Buffer.concat([Buffer.from([ALG_ED25519]), seed]).toString("base64")}`;
  return { skey, vkey: s.verifier.vkey };
}

function checkText(text: string): void {
  if (!text.endsWith("\n")) throw new FormatError("NOTE_MALFORMED", "note text must end in a newline");
  // Only \n among control characters; no U+FFFD from bad UTF-8 either.
  if (hasControlCharacter(text, true)) {
    throw new FormatError("NOTE_MALFORMED", "note text holds control characters");
  }
}

/** One signature line of a note. */
export interface NoteSignature {
  readonly name: string;
  readonly keyId: number;
  /** Signature bytes after the 4-byte key id. */
  readonly signature: Buffer;
  /** The line as it appears in the note, without its newline. */
  readonly line: string;
}

/** Signs note text (which must end in "\n"): returns text, blank line, signature line. */
export function signNote(text: string, signer: NoteSignerKey): string {
  checkText(text);
  return `${text}\n${signatureLine(text, signer)}\n`;
}

/** The `— name base64(id ‖ sig)` line for `text`. */
export function signatureLine(text: string, signer: NoteSignerKey): string {
  const sig = sign(null, Buffer.from(text, "utf8"), signer.key);
  const id = Buffer.alloc(4);
  id.writeUInt32BE(signer.keyId);
  return `\u2014 ${signer.name} ${Buffer.concat([id, sig]).toString("base64")}`;
}

/** Splits a signed note into its text and signature lines (no signature checked). */
export function parseNote(note: string): { text: string; signatures: NoteSignature[] } {
  if (note.length > 1 << 20) throw new FormatError("NOTE_MALFORMED", "note is larger than 1 MiB");
  const split = note.lastIndexOf("\n\n");
  if (split < 0) throw new FormatError("NOTE_MALFORMED", "note has no blank line before its signatures");
  const text = note.slice(0, split + 1);
  checkText(text);
  const rest = note.slice(split + 2);
  if (!rest.endsWith("\n")) throw new FormatError("NOTE_MALFORMED", "note does not end in a newline");
  const lines = rest.slice(0, -1).split("\n");
  if (lines.length > MAX_SIGNATURES)
    throw new FormatError("NOTE_MALFORMED", `note has more than ${MAX_SIGNATURES} signatures`);
  const signatures: NoteSignature[] = [];
  for (const line of lines) {
    const m = SIG_LINE_RE.exec(line);
    if (!m) throw new FormatError("NOTE_MALFORMED", "note has a malformed signature line");
    const [, name, b64] = m as unknown as [string, string, string];
    if (!isValidKeyName(name))
      throw new FormatError("NOTE_MALFORMED", "note signature has an invalid key name");
    const raw = Buffer.from(b64, "base64");
    if (raw.toString("base64") !== b64 || raw.length < 5) {
      throw new FormatError("NOTE_MALFORMED", "note signature is not canonical base64");
    }
    signatures.push({ name, keyId: raw.readUInt32BE(0), signature: raw.subarray(4), line });
  }
  return { text, signatures };
}

/** Does this signature line verify `text` under an Ed25519 note key (type 0x01)? */
export function verifyNoteSignature(text: string, sig: NoteSignature, key: NoteVerifierKey): boolean {
  if (key.type !== ALG_ED25519 || sig.name !== key.name || sig.keyId !== key.keyId) return false;
  if (sig.signature.length !== 64) return false;
  return verify(null, Buffer.from(text, "utf8"), key.key, sig.signature);
}

/**
 * Opens a note: returns its text and the keys that verified it. Unknown (name, id) pairs are
 * ignored as the spec requires; a known key whose signature fails makes the note invalid.
 */
export function openNote(
  note: string,
  keys: readonly NoteVerifierKey[],
): { text: string; signatures: NoteSignature[]; verifiedBy: NoteVerifierKey[] } {
  const { text, signatures } = parseNote(note);
  const verifiedBy: NoteVerifierKey[] = [];
  for (const sig of signatures) {
    const key = keys.find((k) => k.type === ALG_ED25519 && k.name === sig.name && k.keyId === sig.keyId);
    if (!key) continue;
    if (!verifyNoteSignature(text, sig, key)) {
      throw new NoteUnverifiedError(`signature by ${sig.name} does not verify`);
    }
    if (!verifiedBy.includes(key)) verifiedBy.push(key);
  }
  if (verifiedBy.length === 0) throw new NoteUnverifiedError("no trusted key signed this note");
  return { text, signatures, verifiedBy };
}
