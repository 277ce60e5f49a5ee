// A strict JSON reader that never loses a number: ints beyond 2^53 and integral floats (`2.0`,
// `1e+21`, `-0.0`) come back as JsonNumber lexemes; every other number as a JS number whose
// canonical form equals Python's. So canonicalize(parseJsonLossless(t)) == Python's canonical of t.
// Accepts NaN/Infinity/-Infinity like Python's json.loads; duplicate keys: last wins (also Python).

import { JsonSyntaxError } from "./errors.js";
import type { JsonValue } from "./types.js";

const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
// biome-ignore lint/suspicious/noControlCharactersInRegex: raw control characters end a run (JSON forbids them in strings)
const PLAIN_RUN = /[^"\\\u0000-\u001f]*/y;

export function parseJsonLossless(text: string): JsonValue {
  const p = new Parser(text);
  p.ws();
  const v = p.value();
  p.ws();
  if (p.i !== text.length) p.fail("Extra data");
  return v;
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

  value(): JsonValue {
    const c = this.s.charCodeAt(this.i);
    switch (c) {
      case 0x7b:
        return this.object();
      case 0x5b:
        return this.array();
      case 0x22:
        return this.string();
      case 0x74:
        return this.literal("true", true);
      case 0x66:
        return this.literal("false", false);
      case 0x6e:
        return this.literal("null", null);
      case 0x4e:
        return this.literal("NaN", { kind: "json-number", lexeme: "NaN" });
      case 0x49:
        return this.literal("Infinity", { kind: "json-number", lexeme: "Infinity" });
      default:
        if (c === 0x2d && this.s.startsWith("-Infinity", this.i)) {
          return this.literal("-Infinity", { kind: "json-number", lexeme: "-Infinity" });
        }
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
    return { kind: "json-number", lexeme };
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

  array(): JsonValue[] {
    this.i++;
    const out: JsonValue[] = [];
    this.ws();
    if (this.s.charCodeAt(this.i) === 0x5d) {
      this.i++;
      return out;
    }
    for (;;) {
      this.ws();
      out.push(this.value());
      this.ws();
      const c = this.s.charCodeAt(this.i++);
      if (c === 0x5d) return out;
      if (c !== 0x2c) {
        this.i--;
        this.fail("Expecting ',' delimiter");
      }
    }
  }

  object(): { [key: string]: JsonValue } {
    this.i++;
    const out: { [key: string]: JsonValue } = {};
    this.ws();
    if (this.s.charCodeAt(this.i) === 0x7d) {
      this.i++;
      return out;
    }
    for (;;) {
      this.ws();
      if (this.s.charCodeAt(this.i) !== 0x22) this.fail("Expecting property name enclosed in double quotes");
      const key = this.string();
      this.ws();
      if (this.s.charCodeAt(this.i) !== 0x3a) this.fail("Expecting ':' delimiter");
      this.i++;
      this.ws();
      const v = this.value();
      if (key === "__proto__") {
        Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
      } else {
        out[key] = v;
      }
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
