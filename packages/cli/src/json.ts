// JSON text exactly as the reference CLI prints it (Python `json.dumps` defaults: `", "` and
// `": "` separators or `indent=2`, ASCII-escaped, insertion order), keeping lossless numbers from
// foreign stores (`2.0` stays `2.0`) — JSON.stringify would print `2` and lose the evidence.
// Strings and numbers are laid out by the store's canonical-JSON primitives (same Python rules).
import { canonicalNumber, canonicalString, isJsonNumber } from "@weft/chained-store";

/**
 * `json.dumps(value)` (indent undefined: one line with `", "`/`": "`) or
 * `json.dumps(value, indent=2)`.
 */
export function pythonJson(value: unknown, indent?: number): string {
  return write(value, indent, 0);
}

/** One element of an indented top-level array, as `json.dumps(list, indent=n)` lays it out. */
export function pythonJsonElement(value: unknown, indent: number): string {
  return " ".repeat(indent) + write(value, indent, 1);
}

function write(v: unknown, indent: number | undefined, depth: number): string {
  if (v === null || v === undefined) return "null";
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "number") return canonicalNumber(v);
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "string") return canonicalString(v);
  if (isJsonNumber(v)) return v.lexeme;
  const nl = indent === undefined ? "" : `\n${" ".repeat(indent * (depth + 1))}`;
  const close = indent === undefined ? "" : `\n${" ".repeat(indent * depth)}`;
  const sep = indent === undefined ? ", " : ",";
  if (Array.isArray(v)) {
    if (v.length === 0) return "[]";
    return `[${nl}${v.map((x) => write(x, indent, depth + 1)).join(sep + nl)}${close}]`;
  }
  if (typeof v === "object") {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
    if (entries.length === 0) return "{}";
    const parts = entries.map(([k, x]) => `${canonicalString(k)}: ${write(x, indent, depth + 1)}`);
    return `{${nl}${parts.join(sep + nl)}${close}}`;
  }
  return "null";
}

/** Compact JSON for Weft-only shapes (OCSF, OTLP, stats); they never carry args, so no lexeme numbers. */
export function compactJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
}
