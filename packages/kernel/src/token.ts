// HMAC-SHA256 capability tokens. Verification order is the reference's: revoked → expired →
// signature (constant time) → principal → capability. Several keys may be held at once, each
// under a key id, so a secret can be rotated without invalidating tokens already issued.

import { createHmac, createSecretKey, type KeyObject, randomUUID, timingSafeEqual } from "node:crypto";
import { json, repr, secret, time } from "@weft/wire";
import {
  InvalidArgumentError,
  TokenExpiredError,
  TokenInvalidError,
  TokenRevokedError,
  TokenScopeError,
} from "./errors.js";
import type { CapabilityToken } from "./models.js";
import { InMemoryRevocationStore } from "./revocation.js";
import type { RevocationStore } from "./trace.js";

export const DEFAULT_TOKEN_TTL_S = 3600;

export interface HmacTokenProviderOptions {
  /** Single signing secret (key id ""). Default: WEFT_SECRET → WEAVER_KERNEL_SECRET → dev secret. */
  secret?: string;
  /** Key ring for rotation: key id → secret. New tokens are signed with `activeKeyId`. */
  keys?: Readonly<Record<string, string>>;
  /** Required with `keys`: the id new tokens are signed with. */
  activeKeyId?: string;
  revocationStore?: RevocationStore;
  /** Default token lifetime in seconds (3600). */
  defaultTtlS?: number;
  /** Clock in epoch microseconds (tests). */
  clock?: () => number;
}

export interface IssueOptions {
  constraints?: Record<string, unknown>;
  ttlS?: number;
  auditId?: string;
}

export interface VerifyExpectation {
  expectedPrincipalId: string;
  expectedCapabilityId: string;
}

/** What the kernel needs from a token provider; `HmacTokenProvider` is the implementation. */
export interface TokenProvider {
  issue(capabilityId: string, principalId: string, options?: IssueOptions): CapabilityToken;
  verify(token: CapabilityToken, expect: VerifyExpectation): void;
  revoke(tokenId: string): void;
  revokeAll(principalId: string): number;
  sweepRevocations(now?: Date): number;
  readonly revocationStore: RevocationStore;
}

/** The exact string that is HMACed; key_id is included only for key-ring keys ("" = 0.12 layout). */
export function signablePayload(token: Omit<CapabilityToken, "signature">): string {
  const payload: Record<string, unknown> = {
    token_id: token.tokenId,
    capability_id: token.capabilityId,
    principal_id: token.principalId,
    issued_at: token.issuedAt,
    expires_at: token.expiresAt,
    constraints: token.constraints,
    audit_id: token.auditId,
  };
  if (token.keyId !== "") payload.key_id = token.keyId;
  return json.canonicalize(payload);
}

export class HmacTokenProvider implements TokenProvider {
  readonly revocationStore: RevocationStore;
  readonly #keys = new Map<string, KeyObject>();
  readonly #activeKeyId: string;
  readonly #defaultTtlS: number;
  readonly #clock: () => number;
  /**
   * Tokens this provider issued, with their expiry in epoch µs. They are deep-frozen, so their
   * signed content cannot have changed since signing and the HMAC need not be recomputed on verify.
   */
  readonly #issued = new WeakMap<CapabilityToken, number>();

  constructor(options: HmacTokenProviderOptions = {}) {
    if (options.keys !== undefined) {
      for (const [id, secret] of Object.entries(options.keys)) {
        if (id === "" || !secret)
          throw new InvalidArgumentError("Every key-ring entry needs a non-empty key id and secret.");
        this.#keys.set(id, createSecretKey(Buffer.from(secret, "utf8")));
      }
      const active = options.activeKeyId;
      if (active === undefined || !this.#keys.has(active))
        throw new InvalidArgumentError("activeKeyId must name one of the configured keys.");
      this.#activeKeyId = active;
    } else {
      this.#keys.set("", createSecretKey(Buffer.from(secret.resolve(options.secret), "utf8")));
      this.#activeKeyId = "";
    }
    const ttl = options.defaultTtlS ?? DEFAULT_TOKEN_TTL_S;
    if (!(ttl > 0) || !Number.isFinite(ttl))
      throw new InvalidArgumentError(`defaultTtlS must be a positive number, got ${ttl}.`);
    this.#defaultTtlS = ttl;
    this.revocationStore = options.revocationStore ?? new InMemoryRevocationStore();
    this.#clock = options.clock ?? time.nowMicros;
  }

  get activeKeyId(): string {
    return this.#activeKeyId;
  }

  #sign(keyId: string, payload: string): string | undefined {
    const key = this.#keys.get(keyId);
    if (key === undefined) return undefined;
    return createHmac("sha256", key).update(payload, "utf8").digest("hex");
  }

  issue(capabilityId: string, principalId: string, options: IssueOptions = {}): CapabilityToken {
    const ttlS = options.ttlS ?? this.#defaultTtlS;
    if (!(ttlS > 0) || !Number.isFinite(ttlS))
      throw new InvalidArgumentError(`Token TTL must be a positive number of seconds, got ${ttlS}.`);
    const now = this.#clock();
    const unsigned = {
      tokenId: randomUUID(),
      capabilityId,
      principalId,
      issuedAt: time.formatMicros(now),
      expiresAt: time.formatMicros(now + Math.round(ttlS * 1_000_000)),
      constraints: cloneConstraints(options.constraints ?? {}),
      auditId: options.auditId ?? "",
      keyId: this.#activeKeyId,
    };
    const signature = this.#sign(this.#activeKeyId, signablePayload(unsigned)) ?? "";
    const token: CapabilityToken = deepFreeze({ ...unsigned, signature });
    this.revocationStore.track(principalId, token.tokenId, token.expiresAt);
    this.#issued.set(token, now + Math.round(ttlS * 1_000_000));
    return token;
  }

  verify(token: CapabilityToken, expect: VerifyExpectation): void {
    if (!isTokenShaped(token)) throw new TokenInvalidError("Malformed capability token.");
    const tid = () => repr.quoted(token.tokenId);
    if (this.revocationStore.isRevoked(token.tokenId))
      throw new TokenRevokedError(`Token ${tid()} has been revoked.`);
    const issuedExpiry = this.#issued.get(token);
    const expiresUs = issuedExpiry ?? time.parseIso(token.expiresAt)?.epochMicros;
    if (expiresUs === undefined) throw new TokenInvalidError(`Token ${tid()} has a malformed expiry.`);
    if (expiresUs <= this.#clock())
      throw new TokenExpiredError(`Token ${tid()} expired at ${token.expiresAt}.`);
    if (issuedExpiry === undefined) {
      const expected = this.#sign(token.keyId, signablePayload(token));
      if (expected === undefined || !constantTimeEqual(expected, token.signature))
        throw new TokenInvalidError(
          `Token ${tid()} has an invalid signature. The token may have been tampered with.`,
        );
    }
    if (token.principalId !== expect.expectedPrincipalId)
      throw new TokenScopeError(
        `Token ${tid()} was issued for principal ${repr.quoted(token.principalId)}, not ${repr.quoted(expect.expectedPrincipalId)}.`,
      );
    if (token.capabilityId !== expect.expectedCapabilityId)
      throw new TokenScopeError(
        `Token ${tid()} was issued for capability ${repr.quoted(token.capabilityId)}, not ${repr.quoted(expect.expectedCapabilityId)}.`,
      );
  }

  revoke(tokenId: string): void {
    this.revocationStore.revoke(tokenId);
  }

  revokeAll(principalId: string): number {
    return this.revocationStore.revokePrincipal(principalId);
  }

  sweepRevocations(now?: Date): number {
    return this.revocationStore.sweepExpired(now ?? new Date(this.#clock() / 1000));
  }
}

/** A private copy of the constraints, so freezing the token never freezes the caller's object. */
function cloneConstraints(c: Record<string, unknown>): Record<string, unknown> {
  try {
    return structuredClone(c);
  } catch {
    throw new InvalidArgumentError("Token constraints must be plain JSON-like data.");
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

function constantTimeEqual(expectedHex: string, given: string): boolean {
  const a = Buffer.from(expectedHex, "utf8");
  const b = Buffer.from(given, "utf8");
  if (a.length !== b.length) {
    // Still spend a comparison so the failure time does not depend on where lengths differ.
    timingSafeEqual(a, a);
    return false;
  }
  return timingSafeEqual(a, b);
}

function isTokenShaped(t: unknown): t is CapabilityToken {
  if (typeof t !== "object" || t === null) return false;
  const r = t as Record<string, unknown>;
  return (
    typeof r.tokenId === "string" &&
    typeof r.capabilityId === "string" &&
    typeof r.principalId === "string" &&
    typeof r.issuedAt === "string" &&
    typeof r.expiresAt === "string" &&
    typeof r.auditId === "string" &&
    typeof r.signature === "string" &&
    typeof r.keyId === "string" &&
    typeof r.constraints === "object" &&
    r.constraints !== null
  );
}

/** Plain-dict form for transport (reference `to_dict`, plus `key_id`). Contains the signature. */
export function tokenToDict(token: CapabilityToken): Record<string, unknown> {
  return {
    token_id: token.tokenId,
    capability_id: token.capabilityId,
    principal_id: token.principalId,
    issued_at: token.issuedAt,
    expires_at: token.expiresAt,
    constraints: token.constraints,
    audit_id: token.auditId,
    signature: token.signature,
    key_id: token.keyId,
  };
}

export function tokenFromDict(data: Record<string, unknown>): CapabilityToken {
  const s = (k: string, dflt?: string): string => {
    const v = data[k] ?? dflt;
    if (typeof v !== "string")
      throw new TokenInvalidError(`Token dict field ${repr.str(k)} is missing or not a string.`);
    return v;
  };
  const constraints = data.constraints ?? {};
  if (typeof constraints !== "object" || constraints === null || Array.isArray(constraints))
    throw new TokenInvalidError("Token dict field 'constraints' must be an object.");
  return {
    tokenId: s("token_id"),
    capabilityId: s("capability_id"),
    principalId: s("principal_id"),
    issuedAt: s("issued_at"),
    expiresAt: s("expires_at"),
    constraints: constraints as Record<string, unknown>,
    auditId: s("audit_id", ""),
    signature: s("signature", ""),
    keyId: s("key_id", ""),
  };
}
