// String and number primitives shared by the canonical writer, the general `dumps` writer and
// the store's specialised serializers: Python's escaping rules and code-point key order.

import { WeftError } from "../errors.js";
import { floatRepr } from "./float.js";

const HEX = "0123456789abcdef";
const CANONICAL_INT = /^(?:0|-?[1-9]\d*)$/;
const INT_LEXEME = /^-?\d+$/;
/** Printable ASCII without `"` and `\\`: the strings canonical JSON emits unchanged. */
const PLAIN_ASCII = /^[ !#-[\]-~]*$/;
/** What `ensure_ascii=False` leaves alone: anything but `"`, `\\` and C0 controls. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the C0 range is exactly what must be escaped
const PLAIN_UNICODE = /^[^"\\\u0000-\u001f]*$/;

/** True when the string needs no escaping under `ensure_ascii=True`. */
export function isPlainAscii(s: string): boolean {
  return PLAIN_ASCII.test(s);
}

/** A JSON string literal as Python writes it (`ensure_ascii` default true: lowercase `\uXXXX`, surrogate pairs). */
export function quoteString(s: string, ensureAscii = true): string {
  if (ensureAscii ? PLAIN_ASCII.test(s) : PLAIN_UNICODE.test(s)) return `"${s}"`;
  let out = '"';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c !== 0x22 && c !== 0x5c && (c <= 0x7e || !ensureAscii)) continue;
    if (i > start) out += s.slice(start, i);
    start = i + 1;
    switch (c) {
      case 0x22:
        out += '\\"';
        break;
      case 0x5c:
        out += "\\\\";
        break;
      case 0x0a:
        out += "\\n";
        break;
      case 0x0d:
        out += "\\r";
        break;
      case 0x09:
        out += "\\t";
        break;
      case 0x08:
        out += "\\b";
        break;
      case 0x0c:
        out += "\\f";
        break;
      default:
        out += `\\u${HEX[(c >> 12) & 15]}${HEX[(c >> 8) & 15]}${HEX[(c >> 4) & 15]}${HEX[c & 15]}`;
    }
  }
  if (start < s.length) out += s.slice(start);
  return `${out}"`;
}

/** Canonical text of a JS number: integral values as Python ints, others in Python float repr. */
export function numberText(n: number): string {
  if (Number.isInteger(n)) return Number.isSafeInteger(n) ? String(n) : BigInt(n).toString();
  return floatRepr(n);
}

/** What Python's `json.loads` then `json.dumps` makes of a number lexeme: ints exact, floats via repr. */
export function lexemeText(lexeme: string): string {
  if (CANONICAL_INT.test(lexeme)) return lexeme;
  if (INT_LEXEME.test(lexeme)) return BigInt(lexeme).toString(); // "-0" → "0", as Python's int does
  const n = Number(lexeme);
  if (Number.isNaN(n) && lexeme !== "NaN") {
    throw new WeftError(
      "INVALID_ARGUMENT",
      `not a JSON number lexeme: ${JSON.stringify(lexeme.slice(0, 40))}`,
    );
  }
  return floatRepr(n);
}

/** Orders strings by Unicode code point, as Python does (JS `<` compares UTF-16 units). */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a.charCodeAt(i) === b.charCodeAt(i)) continue;
    return rankAt(a, i) - rankAt(b, i);
  }
  return a.length - b.length;
}

/**
 * A sortable rank for the code point at unit `i`, where both strings agree on every unit before
 * `i`. A low surrogate completing a pair started at `i - 1` means an astral code point, greater
 * than whatever (non-pair) code point the other string has there; lone surrogates rank as
 * themselves, as in Python's str.
 */
function rankAt(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff) {
    const d = s.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
    return c;
  }
  if (c >= 0xdc00 && c <= 0xdfff && i > 0) {
    const p = s.charCodeAt(i - 1);
    if (p >= 0xd800 && p <= 0xdbff) return 0x110000 + c;
  }
  return c;
}
