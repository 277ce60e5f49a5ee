// Python `repr()`/`str()` of JSON-like values, for facts and messages that must read like the
// reference's (e.g. `None`, `True`, `['a', 'b']`, `{'k': 1}`).

import { json, repr } from "@weft/wire";

/**
 * Python `repr()` of a JSON-like value. Tool results are untrusted, so nesting is bounded: below
 * json.MAX_DEPTH levels a container prints as `...` (as Python prints a recursive list) instead
 * of recursing further.
 */
export function pyRepr(v: unknown, depth = 0): string {
  if (v === null || v === undefined) return "None";
  if (v === true) return "True";
  if (v === false) return "False";
  if (typeof v === "string") return repr.str(v);
  if (typeof v === "number") return pyNumStr(v);
  if (typeof v === "bigint") return v.toString();
  if (json.LosslessNumber.is(v)) return v.lexeme;
  if (typeof v === "object" && depth >= json.MAX_DEPTH) return "...";
  if (Array.isArray(v)) return `[${v.map((x) => pyRepr(x, depth + 1)).join(", ")}]`;
  if (typeof v === "object")
    return `{${Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${repr.str(k)}: ${pyRepr(x, depth + 1)}`)
      .join(", ")}}`;
  return String(v);
}

/** Python `str()`: strings as-is, everything else as `repr`. */
export function pyStr(v: unknown): string {
  return typeof v === "string" ? v : pyRepr(v);
}

function pyNumStr(n: number): string {
  return Number.isInteger(n) && Math.abs(n) < 1e16 ? String(n) : repr.float(n);
}
