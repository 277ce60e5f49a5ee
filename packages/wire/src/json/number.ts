// The one lossless number type. A class with a private field, so the brand check (`#brand in v`)
// cannot be satisfied by any user value: a parsed `{"kind":"json-number","lexeme":"1"}` or an
// argument object of that shape stays an ordinary object and is recorded as one.

import { WeftError } from "../errors.js";

const NUMBER_LEXEME = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/**
 * A JSON number kept as its source text, so values a JS number cannot carry exactly survive a
 * parse/serialize round trip: integers beyond 2^53, Python floats such as `2.0` or `1e+16`,
 * `-0.0`, and Python's `NaN` / `Infinity` / `-Infinity`.
 */
export class LosslessNumber {
  /** The number exactly as written in the source text. */
  readonly lexeme: string;
  // The brand: only instances constructed here have it, and no JSON value or copy can add it.
  readonly #brand = true;

  /** Throws `WeftError` (`INVALID_ARGUMENT`) unless `lexeme` is a JSON number or a Python non-finite literal. */
  constructor(lexeme: string) {
    if (!NUMBER_LEXEME.test(lexeme) && lexeme !== "NaN" && lexeme !== "Infinity" && lexeme !== "-Infinity") {
      throw new WeftError(
        "INVALID_ARGUMENT",
        `not a JSON number lexeme: ${JSON.stringify(String(lexeme).slice(0, 40))}`,
      );
    }
    this.lexeme = lexeme;
    Object.freeze(this);
  }

  /** True for integer lexemes (Python `int`), false for floats and non-finite literals. */
  get isInteger(): boolean {
    return /^-?\d+$/.test(this.lexeme);
  }

  /** The nearest double (lossy beyond 2^53, like `JSON.parse`). */
  valueOf(): number {
    return Number(this.lexeme);
  }

  /** The source lexeme. */
  toString(): string {
    return this.lexeme;
  }

  /** `JSON.stringify` writes the nearest double; non-finite values become `null` as usual. */
  toJSON(): number {
    return Number(this.lexeme);
  }

  /** True only for values built by this class: structural look-alikes are not numbers. */
  static is(value: unknown): value is LosslessNumber {
    return typeof value === "object" && value !== null && #brand in value;
  }
}
