// The `json` namespace of @weft/wire.
export {
  canonicalize,
  check,
  flatAscii,
  isPlainRecord,
  MAX_DEPTH,
  type Shape,
  shapeOf,
} from "./canonical.js";
export { type DumpsOptions, dumps } from "./dumps.js";
export { floatRepr } from "./float.js";
export { LosslessNumber } from "./number.js";
export { type JsonObject, type JsonValue, parse, setKey } from "./parse.js";
export { compareCodePoints, isPlainAscii, lexemeText, numberText, quoteString } from "./strings.js";
