// Public surface of @weft/chained-store.

export { decisionsPathFor, spansPathFor } from "./backends/jsonl.js";
export { canonicalize, canonicalNumber, canonicalString } from "./canonical.js";
export {
  CHAIN_VERSION,
  canonicalRecordMessage,
  computeRecordHash,
  GENESIS_HASH,
  PAYLOAD_KEY,
  verifyChain,
} from "./chain.js";
export {
  ChainedStoreError,
  DuplicateActionIdError,
  InvalidArgumentError,
  JsonSyntaxError,
  NotAStoreError,
  StoreClosedError,
  StoreCorruptError,
  StoreIoError,
  StoreLockedError,
  StoreReadonlyError,
  StoreReplacedError,
  StoreTornTailError,
  UnsupportedOperationError,
  VerifyWorkerError,
  WrongSecretError,
} from "./errors.js";
export { parseJsonLossless } from "./json-lossless.js";
export { isJsonNumber, jsonNumber, jsonNumberValue } from "./json-number.js";
export { defaultJobs, PARALLEL_MIN_RECORDS } from "./parallel-verify.js";
export { formatPythonFloat } from "./python-float.js";
export { type RepairResult, repairJsonlFile, repairJsonlStore, type StoreRepairResult } from "./repair.js";
export { type SqliteConnection, SqliteRevocationStore } from "./revocations.js";
export { validateSpanRecord } from "./span-codec.js";
export { DEFAULT_BUSY_TIMEOUT_MS, DEFAULT_MAX_RECORDS, openStore } from "./store.js";
export * from "./transparency/index.js";
export {
  CHECKPOINT_CHANNEL,
  DEFAULT_CHECKPOINT_EVERY,
  DEFAULT_CHECKPOINT_INTERVAL_MS,
} from "./tree/transparency-log.js";
export { WitnessClient, type WitnessConfig, type WitnessOutcome, type WitnessStats } from "./tree/witness.js";
export type * from "./types.js";
