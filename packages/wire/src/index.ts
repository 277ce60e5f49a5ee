// @weft/wire: Weft's wire formats, in the lowest layer (Node built-ins only). Namespaces:
// `json` (canonical writer, `dumps`, lossless reader, LosslessNumber, float repr), `time` (the one
// timestamp grammar, isoformat, epoch/HrTime conversions), `secret` (HMAC secret resolution),
// `repr` (Python repr of strings); plus GENESIS_HASH and the typed errors these raise.

export {
  JsonDepthError,
  JsonDuplicateKeyError,
  JsonInputError,
  JsonSyntaxError,
  JsonValueError,
  WeftError,
} from "./errors.js";
export * as json from "./json/index.js";
export * as repr from "./repr.js";
export * as secret from "./secret.js";
export * as time from "./time.js";

/** The `prev_hash` of a chain's first record: 64 zeros (weaver-kernel chain v1). */
export const GENESIS_HASH = "0".repeat(64);
