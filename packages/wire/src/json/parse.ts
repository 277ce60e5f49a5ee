// The lossless reader. Strict JSON plus Python's `NaN` / `Infinity` / `-Infinity`, and stricter
// than Python where evidence needs it: a duplicate key is an error (JSON readers disagree on
// which value wins), nesting is limited to MAX_DEPTH (checked before each level is entered), and
// `__proto__` is an ordinary key. Numbers: safe integers and non-integral finite floats come back
// as JS numbers; everything else (ints beyond 2^53, `2.0`, `1e+21`, `-0.0`, non-finite) as a
// LosslessNumber, so canonicalize(parse(t)) equals Python's canonical form of t.

import { JsonDepthError, JsonDuplicateKeyError, JsonSyntaxError } from "../errors.js";
import { MAX_DEPTH } from "./canonical.js";
import { LosslessNumber } from "./number.js";

/** What `parse` returns. */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | LosslessNumber
  | JsonValue[]
  | { [key: string]: JsonValue };

/** A JSON object as `parse` builds it. */
export type JsonObject = { [key: string]: JsonValue };

const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
// biome-ignore lint/suspicious/noControlCharactersInRegex: raw control characters end a run (JSON forbids them in strings)
const PLAIN_RUN = /[^"\\\u0000-\u001f]*/y;
const NAN = new LosslessNumber("NaN");
const INF = new LosslessNumber("Infinity");
const NEG_INF = new LosslessNumber("-Infinity");

/**
 * Parses one JSON text. Throws JsonSyntaxError, JsonDuplicateKeyError or JsonDepthError (all
 * JsonInputError, with the offset).
 */
export function parse(text: string): JsonValue {
  const p = new Parser(text);
  p.ws();
  const v = p.value(0);
  p.ws();
  if (p.i !== text.length) p.fail("Extra data");
  return v;
}

/** Sets `obj[key] = value` as an own data property, also for `__proto__` (which `=` would turn into a prototype change). */
export function setKey(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") {
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    obj[key] = value;
  }
}

class Parser {
  i = 0;
  constructor(private readonly s: string) {}

  fail(msg: string): never {
    throw new JsonSyntaxError(msg, this.i);
  }

  ws(): void {
    const s = this.s;
    let i = this.i;
    for (;;) {
      const c = s.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else break;
    }
    this.i = i;
  }

  value(depth: number): JsonValue {
    const c = this.s.charCodeAt(this.i);
    switch (c) {
      case 0x7b:
        if (depth >= MAX_DEPTH) throw new JsonDepthError(MAX_DEPTH, this.i);
        return this.object(depth + 1);
      case 0x5b:
        if (depth >= MAX_DEPTH) throw new JsonDepthError(MAX_DEPTH, this.i);
        return this.array(depth + 1);
      case 0x22:
        return this.string();
      case 0x74:
        return this.literal("true", true);
      case 0x66:
        return this.literal("false", false);
      case 0x6e:
        return this.literal("null", null);
      case 0x4e:
        return this.literal("NaN", NAN);
      case 0x49:
        return this.literal("Infinity", INF);
      default:
        if (c === 0x2d && this.s.startsWith("-Infinity", this.i)) return this.literal("-Infinity", NEG_INF);
        if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
        return this.fail(Number.isNaN(c) ? "Unexpected end of input" : "Expecting value");
    }
  }

  literal<T extends JsonValue>(word: string, v: T): T {
    if (!this.s.startsWith(word, this.i)) this.fail("Expecting value");
    this.i += word.length;
    return v;
  }

  number(): JsonValue {
    NUMBER.lastIndex = this.i;
    const m = NUMBER.exec(this.s);
    if (m === null) return this.fail("Invalid number");
    const lexeme = m[0];
    this.i += lexeme.length;
    const isInt = m[1] === undefined && m[2] === undefined;
    const n = Number(lexeme);
    if (isInt) {
      if (Number.isSafeInteger(n)) return n;
    } else if (Number.isFinite(n) && !Number.isInteger(n)) {
      return n;
    }
    return new LosslessNumber(lexeme);
  }

  string(): string {
    const s = this.s;
    this.i++; // opening quote
    PLAIN_RUN.lastIndex = this.i;
    PLAIN_RUN.exec(s);
    let end = PLAIN_RUN.lastIndex;
    if (s.charCodeAt(end) === 0x22) {
      const out = s.slice(this.i, end);
      this.i = end + 1;
      return out;
    }
    let out = s.slice(this.i, end);
    for (;;) {
      const c = s.charCodeAt(end);
      if (c === 0x22) {
        this.i = end + 1;
        return out;
      }
      if (c !== 0x5c) {
        this.i = end;
        this.fail(Number.isNaN(c) ? "Unterminated string" : "Invalid control character in string");
      }
      const e = s.charCodeAt(end + 1);
      end += 2;
      switch (e) {
        case 0x22:
          out += '"';
          break;
        case 0x5c:
          out += "\\";
          break;
        case 0x2f:
          out += "/";
          break;
        case 0x62:
          out += "\b";
          break;
        case 0x66:
          out += "\f";
          break;
        case 0x6e:
          out += "\n";
          break;
        case 0x72:
          out += "\r";
          break;
        case 0x74:
          out += "\t";
          break;
        case 0x75: {
          const hex = s.slice(end, end + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
            this.i = end;
            this.fail("Invalid \\uXXXX escape");
          }
          out += String.fromCharCode(Number.parseInt(hex, 16));
          end += 4;
          break;
        }
        default:
          this.i = end - 1;
          this.fail("Invalid \\escape");
      }
      PLAIN_RUN.lastIndex = end;
      PLAIN_RUN.exec(s);
      out += s.slice(end, PLAIN_RUN.lastIndex);
      end = PLAIN_RUN.lastIndex;
    }
  }

  array(depth: number): JsonValue[] {
    this.i++;
    const out: JsonValue[] = [];
    this.ws();
    if (this.s.charCodeAt(this.i) === 0x5d) {
      this.i++;
      return out;
    }
    for (;;) {
      this.ws();
      out.push(this.value(depth));
      this.ws();
      const c = this.s.charCodeAt(this.i++);
      if (c === 0x5d) return out;
      if (c !== 0x2c) {
        this.i--;
        this.fail("Expecting ',' delimiter");
      }
    }
  }

  object(depth: number): JsonObject {
    this.i++;
    const out: JsonObject = {};
    this.ws();
    if (this.s.charCodeAt(this.i) === 0x7d) {
      this.i++;
      return out;
    }
    for (;;) {
      this.ws();
      if (this.s.charCodeAt(this.i) !== 0x22) this.fail("Expecting property name enclosed in double quotes");
      const keyAt = this.i;
      const key = this.string();
      this.ws();
      if (this.s.charCodeAt(this.i) !== 0x3a) this.fail("Expecting ':' delimiter");
      this.i++;
      this.ws();
      const v = this.value(depth);
      if (Object.hasOwn(out, key)) throw new JsonDuplicateKeyError(key, keyAt);
      setKey(out, key, v);
      this.ws();
      const c = this.s.charCodeAt(this.i++);
      if (c === 0x7d) return out;
      if (c !== 0x2c) {
        this.i--;
        this.fail("Expecting ',' delimiter");
      }
    }
  }
}
