// Argument checks shared by the kernel's operations. Each failure is an InvalidArgumentError (or,
// for a token's deadline constraint, a DriverError as in the reference), raised before any work.

import { DriverError, InvalidArgumentError } from "./errors.js";
import { isPlainObject } from "./firewall/redact.js";
import type { CapabilityRequest, Principal } from "./models.js";
import { pyStrRepr } from "./pyjson.js";
import type { ResponseMode } from "./trace.js";

/** Token-constraint key carrying a per-invocation deadline in seconds (reference #191). */
export const INVOKE_TIMEOUT_CONSTRAINT = "invoke_timeout_s";

const RESPONSE_MODES: ReadonlySet<string> = new Set(["summary", "table", "handle_only", "raw"]);

export function validatePrincipal(p: Principal): asserts p is Principal {
  if (typeof p !== "object" || p === null || typeof p.principalId !== "string" || p.principalId === "")
    throw new InvalidArgumentError("A principal with a non-empty principalId is required.");
}

export function validateRequest(r: CapabilityRequest): void {
  if (typeof r !== "object" || r === null || typeof r.capabilityId !== "string")
    throw new InvalidArgumentError("A CapabilityRequest with a capabilityId is required.");
}

/** Checks an invoke's principal, args and requested response mode. */
export function validateInvokeInput(principal: Principal, args: unknown, requested: string): void {
  validatePrincipal(principal);
  if (!isPlainObject(args)) throw new InvalidArgumentError("invoke args must be a plain object.");
  if (!RESPONSE_MODES.has(requested))
    throw new InvalidArgumentError(`Unknown response mode ${pyStrRepr(String(requested))}.`);
}

/** `raw` is for admins only; everyone else silently gets `summary` (reference behaviour). */
export function effectiveResponseMode(requested: ResponseMode, principal: Principal): ResponseMode {
  return requested === "raw" && !(principal.roles ?? []).includes("admin") ? "summary" : requested;
}

/** The token's per-invocation deadline in seconds, or undefined when it sets none. */
export function resolveInvokeTimeout(constraints: Record<string, unknown>): number | undefined {
  const raw = constraints[INVOKE_TIMEOUT_CONSTRAINT];
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== "number" || !(raw > 0) || !Number.isFinite(raw))
    throw new DriverError(
      `Invalid '${INVOKE_TIMEOUT_CONSTRAINT}' constraint: ${String(raw)} (must be a positive number of seconds).`,
    );
  return raw;
}
