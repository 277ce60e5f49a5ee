// JSON text exactly as the reference CLI prints it (Python `json.dumps` defaults: `", "` and
// `": "` separators or `indent=2`, ASCII-escaped, insertion order), keeping lossless numbers from
// foreign stores (`2.0` stays `2.0`) — JSON.stringify would print `2` and lose the evidence.

interface JsonNumberLike {
  kind: "json-number";
  lexeme: string;
}

function isJsonNumber(v: unknown): v is JsonNumberLike {
  return (
    typeof v === "object" &&
    v !== null &&
    (v as { kind?: unknown }).kind === "json-number" &&
    typeof (v as { lexeme?: unknown }).lexeme === "string"
  );
}

/** Python `repr(float)` layout for a JS number that is not an integer. */
export function pythonFloat(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (!Number.isFinite(n)) return n > 0 ? "Infinity" : "-Infinity";
  if (Object.is(n, -0)) return "-0.0";
  const [mant = "0", expText = "0"] = n.toExponential().split("e");
  const exp = Number(expText);
  const negative = mant.startsWith("-");
  const digits = mant.replace("-", "").replace(".", "");
  const sign = negative ? "-" : "";
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp).toString().padStart(2, "0");
    return `${sign}${m}e${exp < 0 ? "-" : "+"}${e}`;
  }
  if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
  const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, "0");
  const frac = digits.slice(exp + 1);
  return `${sign}${intPart}.${frac === "" ? "0" : frac}`;
}

function numberText(n: number): string {
  if (Number.isInteger(n) && !Object.is(n, -0)) {
    return Number.isSafeInteger(n) ? String(n) : BigInt(n).toString();
  }
  return pythonFloat(n);
}

/** Python `json.dumps` string escaping with ensure_ascii=True (lowercase hex, surrogate pairs). */
export function pythonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += "\\\\";
    else if (c === 0x0a) out += "\\n";
    else if (c === 0x0d) out += "\\r";
    else if (c === 0x09) out += "\\t";
    else if (c === 0x08) out += "\\b";
    else if (c === 0x0c) out += "\\f";
    else if (c < 0x20 || c > 0x7e) out += `\\u${c.toString(16).padStart(4, "0")}`;
    else out += s[i];
  }
  return `${out}"`;
}

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
  if (typeof v === "number") return numberText(v);
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "string") return pythonString(v);
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
    const parts = entries.map(([k, x]) => `${pythonString(k)}: ${write(x, indent, depth + 1)}`);
    return `{${nl}${parts.join(sep + nl)}${close}}`;
  }
  return "null";
}

/** Compact JSON for Weft-only shapes (OCSF, OTLP, stats); they never carry args, so no lexeme numbers. */
export function compactJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
}
