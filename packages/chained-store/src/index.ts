// Public surface of @weft/chained-store.

export type * from "./types.js";
export { canonicalize, canonicalString, canonicalNumber } from "./canonical.js";
export { formatPythonFloat } from "./python-float.js";
export { parseJsonLossless } from "./json-lossless.js";
export { jsonNumber, isJsonNumber, jsonNumberValue } from "./json-number.js";
export {
  CHAIN_VERSION,
  GENESIS_HASH,
  PAYLOAD_KEY,
  canonicalRecordMessage,
  computeRecordHash,
  verifyChain,
} from "./chain.js";
export { openStore, DEFAULT_BUSY_TIMEOUT_MS, DEFAULT_MAX_RECORDS } from "./store.js";
export { SqliteRevocationStore } from "./revocations.js";
export { repairJsonlStore, type RepairResult } from "./repair.js";
export { spansPathFor } from "./backends/jsonl.js";
export { ATTR_ACTION_ID, ATTR_PRINCIPAL_ID } from "./attributes.js";
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
  StoreTornTailError,
  UnsupportedOperationError,
  WrongSecretError,
} from "./errors.js";
