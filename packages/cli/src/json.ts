// CLI output through the one Python-compatible writer of @weft/wire: `json.dumps` defaults
// (`", "`/`": "`, or `indent=2`), ASCII-escaped, insertion order, lossless numbers of foreign
// stores written as Python would (`2.0` stays `2.0`), which JSON.stringify would turn into `2`.
import { json } from "@weft/wire";

/** `json.dumps(value)` (indent undefined: one line) or `json.dumps(value, indent=n)`. */
export function pythonJson(value: unknown, indent?: number): string {
  return indent === undefined ? json.dumps(value) : json.dumps(value, { indent });
}

/** One element of an indented top-level array, as `json.dumps(list, indent=n)` lays it out. */
export function pythonJsonElement(value: unknown, indent: number): string {
  return " ".repeat(indent) + json.dumps(value, { indent, level: 1 });
}

/** Compact JSON for Weft-only shapes (OCSF, OTLP, stats); they never carry args, so no lexeme numbers. */
export function compactJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
}
