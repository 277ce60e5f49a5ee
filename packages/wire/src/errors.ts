// The base class of every typed Weft error, and the errors of the wire formats. It lives in the
// lowest layer so the formats can throw typed errors; @weft/kernel re-exports it unchanged.

/** Base class of every error Weft raises on purpose: a stable machine `code` plus a message. */
export class WeftError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Text handed to `json.parse` is not one unambiguous JSON value. Carries the character offset. */
export class JsonInputError extends WeftError {
  /** UTF-16 offset in the parsed text where the problem was found. */
  readonly position: number;
  constructor(code: string, message: string, position: number) {
    super(code, `${message} at position ${position}`);
    this.position = position;
  }
}

/** Not JSON at all (Python's `json.JSONDecodeError`). */
export class JsonSyntaxError extends JsonInputError {
  constructor(message: string, position: number) {
    super("JSON_SYNTAX", message, position);
  }
}

/**
 * An object names the same key twice. JSON readers disagree on which value wins (SQLite's
 * `json_extract` takes the first, `JSON.parse` and Python the last), so in evidence it is tampering.
 */
export class JsonDuplicateKeyError extends JsonInputError {
  readonly key: string;
  constructor(key: string, position: number) {
    super("JSON_DUPLICATE_KEY", `Duplicate object key ${JSON.stringify(key.slice(0, 80))}`, position);
    this.key = key;
  }
}

/** Arrays/objects nested deeper than the documented limit (`json.MAX_DEPTH`). */
export class JsonDepthError extends JsonInputError {
  readonly limit: number;
  constructor(limit: number, position: number) {
    super("JSON_TOO_DEEP", `JSON nested deeper than ${limit} levels`, position);
    this.limit = limit;
  }
}

/** A value handed to the JSON writer has no JSON form (a Date, a function, `undefined` in an array…). */
export class JsonValueError extends WeftError {
  /** JSONPath-like location of the offending value, e.g. `$.args.when`. */
  readonly path: string;
  constructor(path: string, what: string) {
    super("JSON_NOT_SERIALIZABLE", `value at ${path} is not JSON-serializable (${what})`);
    this.path = path;
  }
}
