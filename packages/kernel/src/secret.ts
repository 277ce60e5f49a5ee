// HMAC secret resolution shared by the token provider and the chained store:
// explicit → WEFT_SECRET → WEAVER_KERNEL_SECRET → one per-process development secret.
// The dev secret lives on globalThis so every copy of this module in a process agrees on it.

import { randomBytes } from "node:crypto";

export const SECRET_ENV_VARS = ["WEFT_SECRET", "WEAVER_KERNEL_SECRET"] as const;

const DEV_SECRET_KEY = Symbol.for("weft.kernel.devSecret");

interface DevSecretSlot {
  [DEV_SECRET_KEY]?: string;
}

/** Returns the HMAC secret to use. Warns once per process (naming the variable, never a value) on the dev fallback. */
export function resolveSecret(explicit?: string | null): string {
  if (explicit) return explicit;
  for (const name of SECRET_ENV_VARS) {
    const v = process.env[name];
    if (v) return v;
  }
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
