// Guards: checks a component adds to a running kernel beside its policy engine, at grant and again
// at invoke (e.g. @weft/mcp's tool-definition pins). A guard denies with a stable reason code, like
// the policy, or adds signed constraints to a grant; it runs before any driver does.

import type { Principal } from "./models.js";

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
