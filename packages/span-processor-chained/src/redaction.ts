// Redaction of secrets in span content. Runs before a record is hashed into the chain, so a secret
// never enters the store; each replacement is listed in the record's `redacted` field, which tells a
// verifier that a value was removed on purpose rather than edited afterwards.

export interface RedactionOptions {
  /** Extra attribute keys (exact, case-insensitive) whose whole value is replaced. */
  keys?: readonly string[];
  /** Extra patterns; every match inside a string value is replaced. */
  patterns?: readonly RegExp[];
  /** Use only `keys`/`patterns`, not the built-in lists. Default false. */
  replaceDefaults?: boolean;
  /** Replacement text. Default `"[REDACTED]"`. */
  placeholder?: string;
}

export const DEFAULT_PLACEHOLDER = "[REDACTED]";

/** Attribute keys whose values are credentials by definition (OTel HTTP header attributes and the like). */
export const DEFAULT_REDACTED_KEYS: readonly string[] = [
  "http.request.header.authorization",
  "http.request.header.proxy-authorization",
  "http.request.header.cookie",
  "http.response.header.set-cookie",
  "http.request.header.x-api-key",
  "http.request.header.api-key",
  "http.request.header.x-auth-token",
];

/**
 * Last key segments that mark a credential wherever they appear (`db.password`,
 * `http.request.header.x-api-key`, `client.secret`). Compared lowercased.
 */
export const DEFAULT_REDACTED_KEY_SUFFIXES: readonly string[] = [
  "authorization",
  "proxy-authorization",
  "cookie",
  "set-cookie",
  "x-api-key",
  "api-key",
  "api_key",
  "apikey",
  "x-auth-token",
  "password",
  "passwd",
  "secret",
  "client_secret",
  "access_token",
  "refresh_token",
  "private_key",
];

/** Value patterns; only the secret part of a match is replaced, the surrounding text is kept. */
export const DEFAULT_REDACTED_PATTERNS: readonly RegExp[] = [
  // `Bearer <token>` / `Basic <base64>` (header values copied into messages or attributes).
  /(?<=\bbearer\s+)[A-Za-z0-9\-._~+/]+=*/gi,
  /(?<=\bbasic\s+)[A-Za-z0-9+/]{8,}=*/gi,
  // JSON Web Tokens: three base64url parts, the first an encoded `{"`.
  /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g,
  // Credentials in URLs: scheme://user:password@host.
  /(?<=\b[a-z][a-z0-9+.-]*:\/\/)[^\s/?#@:]*:[^\s/?#@]*(?=@)/gi,
  // API keys with well-known prefixes (OpenAI/Anthropic-style, GitHub, AWS, Slack, Google).
  /\bsk-[A-Za-z0-9_-]{16,}|\bgh[pousr]_[A-Za-z0-9]{20,}|\bgithub_pat_[A-Za-z0-9_]{20,}|\bAKIA[0-9A-Z]{16}\b|\bxox[abposr]-[A-Za-z0-9-]{10,}|\bAIza[0-9A-Za-z_-]{35}/g,
  // Secrets in query strings: ?api_key=…, &access_token=…, &password=…
  /(?<=[?&;](?:api[_-]?key|access[_-]?token|auth[_-]?token|token|key|password|secret|client[_-]?secret|signature|sig)=)[^&#\s]+/gi,
];

// Shortest string any default pattern can match; shorter values skip the regex scan.
const MIN_SCANNED_LENGTH = 8;

// One cheap pass that every default-pattern match must also pass (a superset of them): most
// attribute values fail it, which saves running each pattern on each string.
const DEFAULT_PREFILTER =
  /bearer|basic|eyJ|:\/\/|sk-|gh[pousr]_|github_pat_|AKIA|xox[abposr]-|AIza|[?&;][a-z_-]*=/i;

export interface Redactor {
  readonly placeholder: string;
  /** True if the attribute's whole value must be replaced. */
  isSecretKey(key: string): boolean;
  /** The string with every secret match replaced, or `undefined` if nothing matched. */
  scrub(value: string): string | undefined;
}

/** Builds a redactor; `false` gives one that keeps everything (for stores that must hold raw values). */
export function createRedactor(options: RedactionOptions | false | undefined): Redactor {
  if (options === false) {
    return { placeholder: DEFAULT_PLACEHOLDER, isSecretKey: () => false, scrub: () => undefined };
  }
  const opts = options ?? {};
  const base = opts.replaceDefaults === true;
  const exactKeys = new Set(
    [...(base ? [] : DEFAULT_REDACTED_KEYS), ...(opts.keys ?? [])].map((k) => k.toLowerCase()),
  );
  const suffixes = new Set(base ? [] : DEFAULT_REDACTED_KEY_SUFFIXES);
  // Global flag is required for replace-all; a caller's non-global pattern is copied, not mutated.
  const globalize = (p: RegExp) => (p.global ? p : new RegExp(p.source, `${p.flags}g`));
  const defaults = base ? [] : DEFAULT_REDACTED_PATTERNS.map(globalize);
  const custom = (opts.patterns ?? []).map(globalize);
  const placeholder = opts.placeholder ?? DEFAULT_PLACEHOLDER;
  const keyCache = new Map<string, boolean>();

  function isSecretKey(key: string): boolean {
    let hit = keyCache.get(key);
    if (hit === undefined) {
      const lower = key.toLowerCase();
      const dot = lower.lastIndexOf(".");
      hit = exactKeys.has(lower) || suffixes.has(dot < 0 ? lower : lower.slice(dot + 1));
      // Attribute key sets are small and repetitive; the bound only guards against key explosions.
      if (keyCache.size < 10_000) keyCache.set(key, hit);
    }
    return hit;
  }

  function apply(patterns: readonly RegExp[], value: string): string {
    let out = value;
    for (const pattern of patterns) {
      pattern.lastIndex = 0;
      if (pattern.test(out)) {
        pattern.lastIndex = 0;
        out = out.replace(pattern, placeholder);
      }
    }
    return out;
  }

  function scrub(value: string): string | undefined {
    let out = value;
    if (defaults.length > 0 && value.length >= MIN_SCANNED_LENGTH && DEFAULT_PREFILTER.test(value)) {
      out = apply(defaults, out);
    }
    if (custom.length > 0) out = apply(custom, out);
    return out === value ? undefined : out;
  }

  return { placeholder, isSecretKey, scrub };
}
