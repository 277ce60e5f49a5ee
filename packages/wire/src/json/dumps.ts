// The general Python `json.dumps` writer (indent, separators, sort_keys, ensure_ascii) for what
// people read: CLI output and exported files. Same value rules as the canonical writer (strict,
// depth-limited), and with `sortKeys` plus compact separators it writes the canonical bytes.

import { JsonValueError } from "../errors.js";
import { describeNonJson, isPlainRecord, MAX_DEPTH, NonJsonAt, pathOf } from "./canonical.js";
import { LosslessNumber } from "./number.js";
import { compareCodePoints, lexemeText, numberText, quoteString } from "./strings.js";

/** Python `json.dumps` keyword arguments. */
export interface DumpsOptions {
  /** `sort_keys`: order object keys by code point. Default false (insertion order). */
  sortKeys?: boolean;
  /** `indent` in spaces. Default none: one line. */
  indent?: number;
  /** `separators`. Default `[", ", ": "]`, or `[",", ": "]` with an indent. */
  separators?: readonly [string, string];
  /** `ensure_ascii`. Default true. */
  ensureAscii?: boolean;
  /** Indentation level of the value itself (for writing one element of an enclosing indented list). */
  level?: number;
}

/** `json.dumps(value, ...)`. Throws `JsonValueError` for values with no JSON form (see `canonicalize`). */
export function dumps(value: unknown, options: DumpsOptions = {}): string {
  const indent = options.indent;
  const [itemSep, keySep] = options.separators ?? (indent === undefined ? [", ", ": "] : [",", ": "]);
  const ascii = options.ensureAscii ?? true;
  const sortKeys = options.sortKeys ?? false;
  const parts: string[] = [];
  const newline = (level: number): string => `\n${" ".repeat((indent ?? 0) * level)}`;

  const write = (v: unknown, level: number, depth: number): void => {
    switch (typeof v) {
      case "string":
        parts.push(quoteString(v, ascii));
        return;
      case "number":
        parts.push(numberText(v));
        return;
      case "boolean":
        parts.push(v ? "true" : "false");
        return;
      case "bigint":
        parts.push(v.toString());
        return;
      case "object":
        break;
      default:
        throw new NonJsonAt(describeNonJson(v));
    }
    if (v === null) {
      parts.push("null");
      return;
    }
    if (depth >= MAX_DEPTH) throw new NonJsonAt(`nested deeper than ${MAX_DEPTH} levels, or circular`);
    if (Array.isArray(v)) {
      if (v.length === 0) {
        parts.push("[]");
        return;
      }
      parts.push("[");
      let i = 0;
      try {
        for (; i < v.length; i++) {
          if (i > 0) parts.push(itemSep);
          if (indent !== undefined) parts.push(newline(level + 1));
          const item: unknown = v[i];
          if (item === undefined) throw new NonJsonAt("undefined");
          write(item, level + 1, depth + 1);
        }
      } catch (err) {
        if (err instanceof NonJsonAt) err.trail.push(i);
        throw err;
      }
      if (indent !== undefined) parts.push(newline(level));
      parts.push("]");
      return;
    }
    if (v instanceof LosslessNumber) {
      parts.push(lexemeText(v.lexeme));
      return;
    }
    if (!isPlainRecord(v)) throw new NonJsonAt(describeNonJson(v));
    const rec = v as Record<string, unknown>;
    const keys = Object.keys(rec).filter((k) => rec[k] !== undefined);
    if (sortKeys) keys.sort(compareCodePoints);
    if (keys.length === 0) {
      parts.push("{}");
      return;
    }
    parts.push("{");
    let i = 0;
    try {
      for (; i < keys.length; i++) {
        const k = keys[i] as string;
        if (i > 0) parts.push(itemSep);
        if (indent !== undefined) parts.push(newline(level + 1));
        parts.push(quoteString(k, ascii), keySep);
        write(rec[k], level + 1, depth + 1);
      }
    } catch (err) {
      if (err instanceof NonJsonAt) err.trail.push(keys[i] as string);
      throw err;
    }
    if (indent !== undefined) parts.push(newline(level));
    parts.push("}");
  };

  try {
    write(value, options.level ?? 0, 0);
  } catch (err) {
    if (err instanceof NonJsonAt) throw new JsonValueError(pathOf(err.trail), err.what);
    throw err;
  }
  return parts.join("");
}
