// Policy replay (reference `replay.py`, #213): re-evaluate recorded grant decisions against a
// candidate engine and report what would have changed. Same flip kinds and the same split of
// rate-limit flips as the reference; unlike the reference, each record is evaluated from its own
// recorded clock and rate-limit window (`EvaluateOptions.at`), so the diff does not depend on the
// order records are replayed in or on anything an earlier record did to the engine.

import {
  DecisionFieldMissingError,
  InvalidArgumentError,
  PolicyDeniedError,
  ReplayEngineError,
  WeftError,
} from "./errors.js";
import type { CapabilityRequest, Principal, ResolvedCapability } from "./models.js";
import {
  type EngineIdentity,
  type EvaluateOptions,
  type JustificationFacts,
  justificationFacts,
  type PolicyEngine,
  type RateWindowState,
} from "./policy.js";
import { DenialReason } from "./reasons.js";

export type FlipKind = "allow_to_deny" | "deny_to_allow" | "reason_code_change";
export const FLIP_KINDS: readonly FlipKind[] = ["allow_to_deny", "deny_to_allow", "reason_code_change"];

/** How a captured record keeps the justification (see docs/policy-replay.md). */
export type JustificationMode = "as_is" | "length" | "digest";

/**
 * One replayable grant decision: the inputs of one `evaluate` call plus the baseline outcome.
 * The first six fields are the reference's `DecisionRecord`; the rest is what capture adds so a
 * replay is deterministic and honest about what it could not see.
 */
export interface DecisionRecord {
  request: CapabilityRequest;
  capability: ResolvedCapability;
  principal: Principal;
  /** The text; null when the record kept only its length or digest. Default "". */
  justification?: string | null;
  /** Default true, as in the reference. */
  baselineAllowed?: boolean;
  /** The baseline's reason code (deny code, or allow code such as `default_policy_allow`). */
  baselineReasonCode?: string | null;

  /** Stable id of the decision (uuid). */
  decisionId?: string;
  /** Position in the `decisions` chain, when read from a store. */
  seq?: number;
  /** Wall-clock time of the decision (Python isoformat, UTC). */
  decidedAt?: string;
  kernelId?: string;
  /** SHA-256 (hex) of the capability's canonical definition when it was evaluated. */
  capabilityDefinitionSha256?: string;
  justificationMode?: JustificationMode;
  /** Lengths of the original justification (kept in every mode). */
  justificationFacts?: JustificationFacts;
  /** HMAC-SHA256 (hex) of the justification, in "digest" mode. */
  justificationDigest?: string | null;
  /** Engine clock at the decision; null/absent when not recorded. */
  clock?: number | null;
  /** Rate-limit window of the request's key just before the decision; null when not recorded. */
  rateWindow?: RateWindowState | null;
  /** The baseline engine's identity. */
  engine?: EngineIdentity;
  /** Input paths whose values the secret sweep replaced (e.g. `principal.attributes.api_key`). */
  redacted?: readonly string[];
}

export interface DecisionOutcome {
  allowed: boolean;
  reasonCode: string | null;
}

export interface DecisionFlip {
  record: DecisionRecord;
  /** Index of the record in the replayed sequence. */
  index: number;
  kind: FlipKind;
  baselineAllowed: boolean;
  candidateAllowed: boolean;
  baselineReasonCode: string | null;
  candidateReasonCode: string | null;
}

export interface NotReplayable {
  record: DecisionRecord;
  index: number;
  /** Field paths the candidate asked for that the record does not hold. */
  missing: readonly string[];
}

export interface DecisionDiff {
  /** Records the candidate produced a decision for. */
  evaluated: number;
  /** Evaluated records whose outcome did not change. */
  unchanged: number;
  /** Structural flips (no rate-limit denial on either side), in input order. */
  flips: DecisionFlip[];
  /** Flips where either side is a `rate_limited` denial, kept apart as in the reference. */
  rateLimited: DecisionFlip[];
  /** Records the candidate could not be evaluated on without guessing. */
  notReplayable: NotReplayable[];
  /** True when there are no structural flips (the reference's `empty`). */
  readonly empty: boolean;
}

function isPolicyDenied(e: unknown): e is { message: string; reasonCode?: unknown } {
  // Duck-typed as well: a candidate module may bundle its own copy of @weft/kernel.
  return (
    e instanceof PolicyDeniedError ||
    (e instanceof Error && (e as { code?: unknown }).code === "POLICY_DENIED")
  );
}

function missingFields(e: unknown): readonly string[] | undefined {
  if (e instanceof DecisionFieldMissingError) return e.fields;
  if (e instanceof Error && (e as { code?: unknown }).code === "DECISION_FIELD_MISSING") {
    const f = (e as { fields?: unknown }).fields;
    return Array.isArray(f) ? f.map(String) : ["unknown"];
  }
  return undefined;
}

/** Wraps `obj` so reading one of the `hidden` keys throws; presence checks still work. */
function guarded<T extends object>(obj: T, prefix: string, hidden: ReadonlySet<string>): T {
  const keys = new Set<string>();
  for (const path of hidden) if (path.startsWith(prefix)) keys.add(path.slice(prefix.length).split(".")[0]!);
  if (keys.size === 0) return obj;
  return new Proxy(obj, {
    get(target, prop, receiver) {
      if (typeof prop === "string" && keys.has(prop))
        throw new DecisionFieldMissingError([`${prefix}${prop}`]);
      return Reflect.get(target, prop, receiver);
    },
  });
}

interface Inputs {
  request: CapabilityRequest;
  capability: ResolvedCapability;
  principal: Principal;
  options: EvaluateOptions;
}

/** The engine's view of a record: redacted or unrecorded inputs throw when read. */
function inputsOf(record: DecisionRecord): Inputs {
  const text = record.justification === undefined ? "" : record.justification;
  const at = {
    clock: record.clock ?? null,
    ...(record.decidedAt !== undefined && { decidedAt: record.decidedAt }),
    rateWindow: record.rateWindow ?? null,
    replay: true,
  };
  if ((record.redacted === undefined || record.redacted.length === 0) && text !== null) {
    // Fast path (nothing hidden): the record's own objects, frozen by decodeDecisionRecord when
    // it built them, so a candidate cannot carry state from one record into a later replay.
    const facts = record.justificationFacts ?? justificationFacts(text);
    return {
      request: record.request,
      capability: record.capability,
      principal: record.principal,
      options: { justification: text, justificationFacts: facts, at },
    };
  }
  const hidden = new Set(record.redacted ?? []);
  const request = guarded(
    {
      ...record.request,
      constraints: guarded({ ...(record.request.constraints ?? {}) }, "request.constraints.", hidden),
      scope: guarded({ ...(record.request.scope ?? {}) }, "request.scope.", hidden),
    },
    "request.",
    new Set([...hidden].filter((p) => p === "request.goal" || p === "request.intent")),
  );
  const principal = guarded(
    {
      ...record.principal,
      roles: [...(record.principal.roles ?? [])],
      attributes: guarded({ ...(record.principal.attributes ?? {}) }, "principal.attributes.", hidden),
    },
    "principal.",
    new Set<string>(),
  );
  const textHidden = text === null || hidden.has("justification");
  const facts = record.justificationFacts ?? (text === null ? undefined : justificationFacts(text));
  const options = {
    get justification(): string {
      if (textHidden) throw new DecisionFieldMissingError(["justification"]);
      return text as string;
    },
    ...(facts !== undefined && { justificationFacts: facts }),
    at,
  } satisfies EvaluateOptions;
  return { request, capability: { ...record.capability }, principal, options };
}

type Evaluated =
  | { kind: "decided"; outcome: DecisionOutcome }
  | { kind: "missing"; fields: readonly string[] };

function evaluateRecord(engine: PolicyEngine, record: DecisionRecord, index: number): Evaluated {
  const { request, capability, principal, options } = inputsOf(record);
  let decision: unknown;
  try {
    decision = engine.evaluate(request, capability, principal, options);
  } catch (e) {
    if (isPolicyDenied(e)) {
      const code = e.reasonCode;
      return {
        kind: "decided",
        outcome: { allowed: false, reasonCode: typeof code === "string" ? code : null },
      };
    }
    const missing = missingFields(e);
    if (missing !== undefined) return { kind: "missing", fields: missing };
    const what =
      e instanceof WeftError ? `${e.code}: ${e.message}` : e instanceof Error ? e.message : String(e);
    throw new ReplayEngineError(`candidate engine failed on record ${index}: ${what}`, index, { cause: e });
  }
  if (
    typeof decision !== "object" ||
    decision === null ||
    typeof (decision as { allowed?: unknown }).allowed !== "boolean"
  )
    throw new ReplayEngineError(
      `candidate engine returned no PolicyDecision on record ${index} (expected an object with a boolean 'allowed')`,
      index,
    );
  const d = decision as { allowed: boolean; reasonCode?: unknown };
  return {
    kind: "decided",
    outcome: { allowed: d.allowed, reasonCode: typeof d.reasonCode === "string" ? d.reasonCode : null },
  };
}

/** The flip kind between a baseline and a candidate outcome, or null when nothing changed. */
export function classifyFlip(baseline: DecisionOutcome, candidate: DecisionOutcome): FlipKind | null {
  if (baseline.allowed && !candidate.allowed) return "allow_to_deny";
  if (!baseline.allowed && candidate.allowed) return "deny_to_allow";
  if (!baseline.allowed && !candidate.allowed && baseline.reasonCode !== candidate.reasonCode)
    return "reason_code_change";
  return null;
}

/**
 * Replays `records` against `engine` and diffs each outcome against the record's baseline.
 * Deterministic: the same records and engine give the same diff. A denial is a thrown
 * PolicyDeniedError (or a returned decision with `allowed: false`); a record whose needed input
 * was not recorded lands in `notReplayable`; any other engine failure throws ReplayEngineError.
 */
export function replay(records: Iterable<DecisionRecord>, engine: PolicyEngine): DecisionDiff {
  if (typeof engine?.evaluate !== "function")
    throw new InvalidArgumentError("replay() needs a policy engine with an evaluate() method.");
  const flips: DecisionFlip[] = [];
  const rateLimited: DecisionFlip[] = [];
  const notReplayable: NotReplayable[] = [];
  let evaluated = 0;
  let index = 0;
  // Denials are thrown errors; capturing a stack for each is most of a replay's cost and no
  // stack is ever shown (failures are reported by record and message). Restored on exit.
  const stackLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    for (const record of records) {
      const i = index++;
      const r = evaluateRecord(engine, record, i);
      if (r.kind === "missing") {
        notReplayable.push({ record, index: i, missing: r.fields });
        continue;
      }
      evaluated++;
      const baseline: DecisionOutcome = {
        allowed: record.baselineAllowed ?? true,
        reasonCode: record.baselineReasonCode ?? null,
      };
      const kind = classifyFlip(baseline, r.outcome);
      if (kind === null) continue;
      const flip: DecisionFlip = {
        record,
        index: i,
        kind,
        baselineAllowed: baseline.allowed,
        candidateAllowed: r.outcome.allowed,
        baselineReasonCode: baseline.reasonCode,
        candidateReasonCode: r.outcome.reasonCode,
      };
      const rl = DenialReason.RATE_LIMITED as string;
      if (baseline.reasonCode === rl || r.outcome.reasonCode === rl) rateLimited.push(flip);
      else flips.push(flip);
    }
  } finally {
    Error.stackTraceLimit = stackLimit;
  }
  return {
    evaluated,
    unchanged: evaluated - flips.length - rateLimited.length,
    flips,
    rateLimited,
    notReplayable,
    get empty() {
      return flips.length === 0;
    },
  };
}

/**
 * Evaluates `engine` once, as it would live, and returns the record of that decision (the
 * reference's `record_decision`), including the clock and rate-limit window it used.
 */
export function recordDecision(
  engine: PolicyEngine,
  request: CapabilityRequest,
  capability: ResolvedCapability,
  principal: Principal,
  options: { justification?: string } = {},
): DecisionRecord {
  const justification = options.justification ?? "";
  const ctx = engine.decisionContext?.(request, capability, principal);
  const at = ctx === undefined ? undefined : { ...ctx, replay: false };
  let outcome: DecisionOutcome;
  try {
    const d = engine.evaluate(request, capability, principal, {
      justification,
      ...(at !== undefined && { at }),
    });
    outcome = { allowed: d.allowed, reasonCode: d.reasonCode };
  } catch (e) {
    if (!isPolicyDenied(e)) throw e;
    outcome = { allowed: false, reasonCode: typeof e.reasonCode === "string" ? e.reasonCode : null };
  }
  const identity = engine.identity?.();
  return {
    request,
    capability,
    principal,
    justification,
    justificationMode: "as_is",
    justificationFacts: justificationFacts(justification),
    baselineAllowed: outcome.allowed,
    baselineReasonCode: outcome.reasonCode,
    clock: ctx?.clock ?? null,
    rateWindow: ctx?.rateWindow ?? null,
    ...(identity !== undefined && { engine: identity }),
  };
}
