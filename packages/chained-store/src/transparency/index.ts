// The transparency layer's pure formats and math, re-exported as one namespace-friendly surface.

export {
  type Checkpoint,
  type Cosignature,
  cosignatureLine,
  cosignedMessage,
  cosignerVerifierKey,
  formatCheckpoint,
  parseCheckpoint,
  verifyCosignature,
} from "./checkpoint.js";
export {
  FormatError,
  NoteUnverifiedError,
  ProofInvalidError,
  TransparencyError,
  type TransparencyErrorCode,
} from "./errors.js";
export {
  CompactRange,
  consistencyProof,
  EMPTY_ROOT,
  HASH_SIZE,
  inclusionProof,
  leafHash,
  type NodeSource,
  type NodeVisitor,
  nodeHash,
  rangeHash,
  rootFromInclusionProof,
  verifyConsistency,
  verifyInclusion,
} from "./merkle.js";
export {
  ALG_COSIGNATURE_V1,
  ALG_ED25519,
  generateNoteKey,
  isValidKeyName,
  keyId,
  type NoteSignature,
  type NoteSignerKey,
  type NoteVerifierKey,
  openNote,
  parseNote,
  parseSignerKey,
  parseVerifierKey,
  signatureLine,
  signNote,
  verifyNoteSignature,
} from "./note.js";
export {
  type TrustOptions,
  type VerifiedCheckpoint,
  type VerifiedReceipt,
  verifyCheckpointNote,
  verifyReceipt,
} from "./receipt.js";
export { type PolicyWitness, parseTlogPolicy, quorumSatisfied, type TlogPolicy } from "./tlog-policy.js";
export {
  formatTlogProof,
  MAX_RECEIPT_BYTES,
  parseTlogProof,
  TLOG_PROOF_HEADER,
  type TlogProof,
} from "./tlog-proof.js";
