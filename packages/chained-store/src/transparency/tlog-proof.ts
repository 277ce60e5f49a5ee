// C2SP tlog-proof@v1 receipts: header, optional `extra` (Weft puts the record's canonical
// message there), index, inclusion hashes, blank line, checkpoint note verbatim. Pure.

import { FormatError } from "./errors.js";
import { HASH_SIZE } from "./merkle.js";

export const TLOG_PROOF_HEADER = "c2sp.org/tlog-proof@v1";
/** Receipts are small; anything larger is refused before parsing (hostile input). */
export const MAX_RECEIPT_BYTES = 4 << 20;

export interface TlogProof {
  readonly index: number;
  readonly hashes: readonly Buffer[];
  /** The signed checkpoint note, with every signature line. */
  readonly checkpoint: string;
  readonly extra: Buffer | null;
}

export function formatTlogProof(p: TlogProof): string {
  let out = `${TLOG_PROOF_HEADER}\n`;
  if (p.extra !== null) out += `extra ${p.extra.toString("base64")}\n`;
  out += `index ${p.index}\n`;
  for (const h of p.hashes) out += `${h.toString("base64")}\n`;
  return `${out}\n${p.checkpoint}`;
}

const INDEX_RE = /^index (0|[1-9][0-9]{0,19})$/;

export function parseTlogProof(text: string): TlogProof {
  if (text.length > MAX_RECEIPT_BYTES)
    throw new FormatError("RECEIPT_MALFORMED", "receipt is larger than 4 MiB");
  const lines = text.split("\n");
  let i = 0;
  if (lines[i++] !== TLOG_PROOF_HEADER)
    throw new FormatError("RECEIPT_MALFORMED", `receipt does not start with ${TLOG_PROOF_HEADER}`);
  let extra: Buffer | null = null;
  if (lines[i]?.startsWith("extra ")) {
    const b64 = (lines[i] as string).slice(6);
    extra = Buffer.from(b64, "base64");
    if (extra.toString("base64") !== b64)
      throw new FormatError("RECEIPT_MALFORMED", "receipt extra is not canonical base64");
    i++;
  }
  const m = INDEX_RE.exec(lines[i++] ?? "");
  if (!m) throw new FormatError("RECEIPT_MALFORMED", "receipt has no valid index line");
  const index = Number(m[1]);
  if (!Number.isSafeInteger(index))
    throw new FormatError("RECEIPT_MALFORMED", "receipt index is beyond 2^53");
  const hashes: Buffer[] = [];
  while (i < lines.length && lines[i] !== "") {
    const b64 = lines[i++] as string;
    const h = Buffer.from(b64, "base64");
    if (h.length !== HASH_SIZE || h.toString("base64") !== b64) {
      throw new FormatError(
        "RECEIPT_MALFORMED",
        `receipt proof line ${hashes.length + 1} is not base64 of 32 bytes`,
      );
    }
    if (hashes.length >= 64)
      throw new FormatError("RECEIPT_MALFORMED", "receipt proof has more than 64 hashes");
    hashes.push(h);
  }
  if (i >= lines.length)
    throw new FormatError("RECEIPT_MALFORMED", "receipt has no checkpoint after its proof");
  const checkpoint = lines.slice(i + 1).join("\n");
  if (checkpoint === "") throw new FormatError("RECEIPT_MALFORMED", "receipt checkpoint is empty");
  return { index, hashes, checkpoint, extra };
}
