// Key for arg digests. A plain hash of low-entropy args (an id, "yes", an amount) can be reversed
// by hashing guesses; an HMAC under a key the span reader does not hold cannot. Without a
// configured key, one random key per process: digests still match within the process.

import { randomBytes } from "node:crypto";

let processKey: Uint8Array | undefined;

/** The configured key, or this process's random key (created on first use). */
export function digestKey(configured: string | Uint8Array | undefined): string | Uint8Array {
  if (configured !== undefined) return configured;
  processKey ??= randomBytes(32);
  return processKey;
}
