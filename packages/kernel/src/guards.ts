// Guards: checks a component adds to a running kernel beside its policy engine, at grant and again
// at invoke (e.g. @weft/mcp's tool-definition pins). A guard denies with a stable reason code, like
// the policy, or adds signed constraints to a grant; it runs before any driver does.

import { InvalidArgumentError, PolicyDeniedError } from "./errors.js";
import type { CapabilityToken, PolicyDecision, Principal } from "./models.js";
import { quoted } from "./pyjson.js";

/** A guard's answer: deny with a reason code, or allow (optionally adding token constraints). */
export type GuardVerdict =
  | { allowed: true; constraints?: Readonly<Record<string, unknown>> }
  | { allowed: false; reason: string; reasonCode: string };

/** What a guard sees of a grant: the request after policy allowed it. */
export interface GuardGrantInput {
  capabilityId: string;
  principal: Principal;
  /** The policy's constraints, before this guard's are added. */
  constraints: Readonly<Record<string, unknown>>;
}

/** What a guard sees of an invoke: a verified token's claims. */
export interface GuardInvokeInput {
  capabilityId: string;
  principal: Principal;
  tokenId: string;
  /** The token's signed constraints (including those guards added at grant). */
  constraints: Readonly<Record<string, unknown>>;
}

export interface KernelGuard {
  /** Names the guard in errors. */
  readonly guardId: string;
  /** Runs after the policy allowed a grant; `undefined` = no opinion. */
  checkGrant?(input: GuardGrantInput): GuardVerdict | undefined;
  /** Runs after the token verified, before routing and drivers; `undefined` = no opinion. */
  checkInvoke?(input: GuardInvokeInput): GuardVerdict | undefined;
}

function assertVerdict(guard: KernelGuard, verdict: GuardVerdict): void {
  if (typeof verdict !== "object" || verdict === null || typeof verdict.allowed !== "boolean")
    throw new InvalidArgumentError(`Guard ${quoted(guard.guardId)} returned an invalid verdict.`);
  if (!verdict.allowed && (typeof verdict.reasonCode !== "string" || verdict.reasonCode === ""))
    throw new InvalidArgumentError(`Guard ${quoted(guard.guardId)} denied without a reason code.`);
}

/** Every guard's grant check, in order: a denial throws; added constraints join the decision's. */
export function runGrantGuards(
  guards: readonly KernelGuard[],
  capabilityId: string,
  principal: Principal,
  decision: PolicyDecision,
): PolicyDecision {
  let constraints = decision.constraints;
  for (const guard of guards) {
    const verdict = guard.checkGrant?.({ capabilityId, principal, constraints });
    if (verdict === undefined) continue;
    assertVerdict(guard, verdict);
    if (!verdict.allowed) throw new PolicyDeniedError(verdict.reason, verdict.reasonCode);
    if (verdict.constraints !== undefined) constraints = { ...constraints, ...verdict.constraints };
  }
  return constraints === decision.constraints ? decision : { ...decision, constraints };
}

/** Every guard's invoke check, in order: the first denial throws a PolicyDeniedError. */
export function runInvokeGuards(
  guards: readonly KernelGuard[],
  token: CapabilityToken,
  principal: Principal,
): void {
  for (const guard of guards) {
    const verdict = guard.checkInvoke?.({
      capabilityId: token.capabilityId,
      principal,
      tokenId: token.tokenId,
      constraints: token.constraints,
    });
    if (verdict === undefined) continue;
    assertVerdict(guard, verdict);
    if (!verdict.allowed) throw new PolicyDeniedError(verdict.reason, verdict.reasonCode);
  }
}
