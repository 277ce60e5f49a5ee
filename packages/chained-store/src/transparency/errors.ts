// Typed errors of the transparency layer (Merkle proofs, signed notes, checkpoints, receipts,
// policies, witnesses). Every input here may come from an attacker, so each rejection names
// what was wrong with a stable code and never echoes key material.

import { WeftError } from "@weft/kernel";

export type TransparencyErrorCode =
  | "PROOF_INVALID"
  | "NOTE_MALFORMED"
  | "NOTE_UNVERIFIED"
  | "KEY_MALFORMED"
  | "CHECKPOINT_MALFORMED"
  | "CHECKPOINT_MISMATCH"
  | "RECEIPT_MALFORMED"
  | "RECEIPT_INVALID"
  | "POLICY_MALFORMED"
  | "POLICY_UNSATISFIED"
  | "TREE_UNAVAILABLE"
  | "SPLIT_VIEW"
  | "TIMESTAMP_INVALID";

/** Base of every transparency-layer error. */
export class TransparencyError extends WeftError {
  declare readonly code: TransparencyErrorCode;
  constructor(code: TransparencyErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** A Merkle inclusion or consistency proof does not verify. */
export class ProofInvalidError extends TransparencyError {
  constructor(message: string) {
    super("PROOF_INVALID", message);
  }
}

/** A signed note, key, checkpoint, receipt or policy is not in its format. */
export class FormatError extends TransparencyError {}

/** No trusted key verified the note. */
export class NoteUnverifiedError extends TransparencyError {
  constructor(message: string) {
    super("NOTE_UNVERIFIED", message);
  }
}
