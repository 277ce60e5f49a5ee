// HMAC secret resolution, shared by the token provider, the chained store and the CLI:
// explicit → WEFT_SECRET → WEAVER_KERNEL_SECRET → one per-process development secret.
// The dev secret lives on globalThis so every copy of this module in a process agrees on it.

import { randomBytes } from "node:crypto";

/** The environment variables consulted, in order. */
export const ENV_VARS = ["WEFT_SECRET", "WEAVER_KERNEL_SECRET"] as const;

/** Where a resolved secret came from (never the secret itself: safe to print). */
export type SecretSource = "explicit" | (typeof ENV_VARS)[number] | "none";

const DEV_SECRET_KEY = Symbol.for("weft.kernel.devSecret");

interface DevSecretSlot {
  [DEV_SECRET_KEY]?: string;
}

/** The configured secret and its source, without the dev fallback (`secret` is null when none is set). */
export function lookup(
  explicit?: string | null,
  env: Readonly<Record<string, string | undefined>> = process.env,
): { secret: string | null; source: SecretSource } {
  if (explicit) return { secret: explicit, source: "explicit" };
  for (const name of ENV_VARS) {
    const v = env[name];
    if (v) return { secret: v, source: name };
  }
  return { secret: null, source: "none" };
}

/** Returns the HMAC secret to use. Warns once per process (naming the variable, never a value) on the dev fallback. */
export function resolve(explicit?: string | null): string {
  const found = lookup(explicit);
  if (found.secret !== null) return found.secret;
  const slot = globalThis as DevSecretSlot;
  let dev = slot[DEV_SECRET_KEY];
  if (dev === undefined) {
    dev = randomBytes(32).toString("hex");
    slot[DEV_SECRET_KEY] = dev;
    process.emitWarning(
      "WEFT_SECRET is not set: using a random per-process development secret. Tokens and audit-chain " +
        "signatures will not survive a restart. Set WEFT_SECRET (or WEAVER_KERNEL_SECRET) in production.",
      { code: "WEFT_DEV_SECRET" },
    );
  }
  return dev;
}
