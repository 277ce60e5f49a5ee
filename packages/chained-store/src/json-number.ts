// JsonNumber: a number kept as its source lexeme, so values JS cannot hold exactly (ints beyond
// 2^53) or whose Python type matters (float `2.0` vs int `2`) survive parse → canonicalize.

import { InvalidArgumentError } from "./errors.js";
import type { JsonNumber } from "./types.js";

const NUMBER_LEXEME = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** Wraps a JSON number lexeme (also `NaN`, `Infinity`, `-Infinity`, which Python's json accepts). */
export function jsonNumber(lexeme: string): JsonNumber {
  if (!NUMBER_LEXEME.test(lexeme) && lexeme !== "NaN" && lexeme !== "Infinity" && lexeme !== "-Infinity") {
    throw new InvalidArgumentError(`not a JSON number lexeme: ${JSON.stringify(lexeme.slice(0, 40))}`);
  }
  return { kind: "json-number", lexeme };
}

export function isJsonNumber(value: unknown): value is JsonNumber {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as { kind?: unknown }).kind === "json-number" &&
    typeof (value as { lexeme?: unknown }).lexeme === "string"
  );
}

/** The numeric value of a JSON number (lossy beyond 2^53, like JSON.parse). */
export function jsonNumberValue(value: JsonNumber): number {
  return Number(value.lexeme);
}
