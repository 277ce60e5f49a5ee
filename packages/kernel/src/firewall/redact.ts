// Redaction (reference `firewall/redaction.py`): values under sensitive field names become
// "[REDACTED]", inline secrets in strings (emails, phones, cards, SSNs, bearer tokens, JWTs, API
// keys, credentials in connection strings) are scrubbed, and containers nested at or beyond
// `maxDepth` are elided rather than scanned. Returns warnings describing what was done.

import { json } from "@weft/wire";

export const REDACTED = "[REDACTED]";
export const DEPTH_ELIDED = "[REDACTED: nested data beyond depth limit]";
export const DEFAULT_MAX_DEPTH = 3;

export const SENSITIVE_FIELD_NAMES: ReadonlySet<string> = new Set([
  "email",
  "phone",
  "card_number",
  "ssn",
  "social_security_number",
  "cvv",
  "credit_card",
  "password",
  "secret",
]);

const EMAIL_RE = /[a-zA-Z0-9_.+-]+@[a-zA-Z0-9-]+\.[a-zA-Z0-9.-]+/g;
const PHONE_RE =
  /(?<!\d)(?<![./])(?:\+\d{1,3}[\s.-])?(?:\(\d{2,4}\)[\s.-]?|\d{2,4}[\s.-])\d{3,4}[\s.-]?\d{3,5}(?!\d)(?![./])/g;
const CARD_RE = /\b(?:\d[ -]?){13,16}\b/g;
const SSN_RE = /\b\d{3}[- ]\d{2}[- ]\d{4}\b/g;
const BEARER_RE = /Bearer\s+[A-Za-z0-9\-._~+/]+=*/gi;
const JWT_RE = /eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/g;
const API_KEY_RE =
  /((?:api[_-]?key|apikey|api[_-]?token|access[_-]?key)(?:\s*[=:]\s*|\s+))[A-Za-z0-9\-._~+/]{8,}/gi;
const CONN_STR_RE = /([a-zA-Z][a-zA-Z0-9+\-.]*:\/\/)[^:@/\s]+:[^@/\s]+(@\S+)/g;

const STRING_WARNING = "String value contained sensitive patterns and was redacted.";
const DEPTH_WARNING = "Nested data beyond the configured max_depth was elided (not scanned).";

export function isSensitiveFieldName(name: string): boolean {
  return SENSITIVE_FIELD_NAMES.has(name.toLowerCase());
}

/** Scrubs inline secrets from one string, in the reference's pattern order. */
export function redactString(text: string): { value: string; redacted: boolean } {
  let s = text;
  s = s.replace(EMAIL_RE, REDACTED);
  s = s.replace(PHONE_RE, REDACTED);
  s = s.replace(CARD_RE, REDACTED);
  s = s.replace(SSN_RE, REDACTED);
  s = s.replace(BEARER_RE, REDACTED);
  s = s.replace(JWT_RE, REDACTED);
  s = s.replace(API_KEY_RE, `$1${REDACTED}`);
  s = s.replace(CONN_STR_RE, `$1${REDACTED}$2`);
  return { value: s, redacted: s !== text };
}

export interface RedactOptions {
  /** Top-level (and per-row, for lists) field allow-list; others are dropped with a warning. */
  allowedFields?: readonly string[] | null;
  maxDepth?: number;
}

export interface Redacted<T = unknown> {
  value: T;
  warnings: string[];
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v) || json.LosslessNumber.is(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

export function redact<T = unknown>(data: T, options: RedactOptions = {}): Redacted<T> {
  const warnings: string[] = [];
  // Recursion depth is bounded by maxDepth (containers at it are elided), capped by the JSON limit.
  const maxDepth = Math.min(options.maxDepth ?? DEFAULT_MAX_DEPTH, json.MAX_DEPTH);
  const value = walk(data, options.allowedFields ?? null, 0, maxDepth, warnings);
  return { value: value as T, warnings };
}

function walk(
  data: unknown,
  allowed: readonly string[] | null,
  depth: number,
  maxDepth: number,
  warnings: string[],
): unknown {
  if (typeof data === "string") {
    const r = redactString(data);
    if (r.redacted) warnings.push(STRING_WARNING);
    return r.value;
  }
  const isObj = isPlainObject(data);
  if (depth >= maxDepth) {
    if (isObj || Array.isArray(data)) {
      warnings.push(DEPTH_WARNING);
      return DEPTH_ELIDED;
    }
    return data;
  }
  if (isObj) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(data)) {
      // json.setKey: a `__proto__` key stays an own property instead of replacing the prototype.
      if (allowed !== null && allowed.length > 0 && !allowed.includes(k)) {
        warnings.push(`Field '${k}' omitted (not in allowed_fields).`);
        continue;
      }
      if (isSensitiveFieldName(k)) {
        json.setKey(out, k, REDACTED);
        warnings.push(`Field '${k}' redacted (sensitive field name).`);
      } else {
        json.setKey(out, k, walk(v, null, depth + 1, maxDepth, warnings));
      }
    }
    return out;
  }
  if (Array.isArray(data)) return data.map((item) => walk(item, allowed, depth + 1, maxDepth, warnings));
  return data;
}
