// In-memory RevocationStore (the durable one lives in @weft/chained-store). Revoked ids are kept
// until the token expires; sweeping forgets only expired tokens, so it never un-revokes a live one.

import { time } from "@weft/wire";
import { InvalidArgumentError } from "./errors.js";
import type { RevocationStore } from "./trace.js";

const SWEEP_INTERVAL = 256;

export class InMemoryRevocationStore implements RevocationStore {
  readonly #revoked = new Set<string>();
  readonly #byPrincipal = new Map<string, Set<string>>();
  /** token id → expiry, epoch microseconds. */
  readonly #expiry = new Map<string, number>();
  #tracks = 0;

  isRevoked(tokenId: string): boolean {
    return this.#revoked.has(tokenId);
  }

  revoke(tokenId: string): void {
    this.#revoked.add(tokenId);
  }

  track(principalId: string, tokenId: string, expiresAt: string): void {
    let set = this.#byPrincipal.get(principalId);
    if (set === undefined) {
      set = new Set();
      this.#byPrincipal.set(principalId, set);
    }
    set.add(tokenId);
    const expiry = time.toEpochMicros(expiresAt);
    if (expiry === null)
      throw new InvalidArgumentError(`Malformed ISO-8601 timestamp: ${JSON.stringify(expiresAt)}.`);
    this.#expiry.set(tokenId, expiry);
    // Lazy sweep bounds growth in long-lived processes without a timer.
    if (++this.#tracks % SWEEP_INTERVAL === 0) this.sweepExpired();
  }

  revokePrincipal(principalId: string): number {
    const ids = this.#byPrincipal.get(principalId);
    if (ids === undefined) return 0;
    let n = 0;
    for (const id of ids) {
      if (!this.#revoked.has(id)) {
        this.#revoked.add(id);
        n++;
      }
    }
    this.#byPrincipal.delete(principalId);
    return n;
  }

  sweepExpired(now: Date = new Date()): number {
    const cutoff = now.getTime() * 1000;
    const expired: string[] = [];
    for (const [id, exp] of this.#expiry) if (exp <= cutoff) expired.push(id);
    if (expired.length === 0) return 0;
    expired.sort();
    const gone = new Set(expired);
    for (const id of expired) {
      this.#expiry.delete(id);
      this.#revoked.delete(id);
    }
    for (const [pid, ids] of this.#byPrincipal) {
      for (const id of gone) ids.delete(id);
      if (ids.size === 0) this.#byPrincipal.delete(pid);
    }
    return expired.length;
  }

  size(): number {
    return this.#revoked.size;
  }
}
