// Decision capture: the kernel option that writes every grant decision's inputs (and its baseline
// outcome, clock, rate-limit window and engine identity) to a decision log — in practice the
// chained store's tamper-evident `decisions` chain — in the `weft.decision/v1` JSON form that
// `weft policy replay` reads back. Every field is documented in docs/policy-replay.md.

import { createHash, createHmac, randomUUID } from "node:crypto";
import { SCHEMA_WEFT_DECISION_V1 } from "@weft/semconv";
import { DecisionCaptureError, InvalidArgumentError, PolicyDeniedError } from "./errors.js";
import { isPlainObject, REDACTED, redact, redactString } from "./firewall/redact.js";
import { nowIso } from "./isoformat.js";
import {
  type CapabilityRequest,
  type PolicyDecision,
  type Principal,
  type ResolvedCapability,
  TOOL_TYPES,
  type ToolType,
} from "./models.js";
import {
  type DecisionContext,
  type EngineIdentity,
  justificationFacts,
  type PolicyEngine,
  type RateWindowState,
} from "./policy.js";
import { canonicalJson } from "./pyjson.js";
import type { DecisionOutcome, DecisionRecord, JustificationMode } from "./replay.js";
import { resolveSecret } from "./secret.js";
import type { SafetyClass, Sensitivity } from "./trace.js";

/** Schema id carried by every captured decision payload. */
export const DECISION_RECORD_SCHEMA = SCHEMA_WEFT_DECISION_V1;
export const JUSTIFICATION_MODES: readonly JustificationMode[] = ["as_is", "length", "digest"];

export type DecisionJson =
  | null
  | boolean
  | number
  | string
  | DecisionJson[]
  | { [key: string]: DecisionJson };

/** The `weft.decision/v1` payload (snake_case, as stored). */
export interface DecisionRecordJson {
  [key: string]: DecisionJson;
  schema: string;
  decision_id: string;
  decided_at: string;
  kernel_id: string;
  request: {
    capability_id: string;
    goal: string;
    constraints: { [key: string]: DecisionJson };
    intent: string | null;
    scope: { [key: string]: DecisionJson };
  };
  capability: {
    capability_id: string;
    name: string;
    description: string;
    safety_class: string;
    sensitivity: string;
    tool_type: string;
    allowed_fields: string[];
    tags: string[];
    definition_sha256: string;
  };
  principal: { principal_id: string; roles: string[]; attributes: { [key: string]: DecisionJson } };
  justification: {
    mode: string;
    text: string | null;
    length: number;
    stripped_length: number;
    digest: string | null;
  };
  baseline: { allowed: boolean; reason_code: string | null };
  clock: number | null;
  rate_window: { key: string; window_s: number; stamps: number[] } | null;
  engine: { name: string; sha256: string | null; config: { [key: string]: DecisionJson } | null };
  redacted: string[];
}

/** Anything a captured decision can be appended to (the chained store's `decisions` chain is one). */
export interface DecisionLog {
  append(record: DecisionRecordJson): unknown;
}

export interface DecisionCaptureOptions {
  log: DecisionLog;
  /**
   * How the justification is kept. "as_is" (default): the text (secret-swept; if the sweep changed
   * it, the text is marked redacted and only its lengths replay). "length": lengths only.
   * "digest": lengths and an HMAC-SHA256 keyed with `justificationKey`.
   * The default engine needs only the lengths, so it replays exactly in every mode.
   */
  justification?: JustificationMode;
  /** Key for "digest" mode (default: the resolved Weft secret). Never recorded. */
  justificationKey?: string;
}

function toJson(v: unknown): DecisionJson {
  // Inputs reach here through redact(), which already copied them; this only narrows the type
  // and refuses what JSON cannot carry.
  return JSON.parse(canonicalJson(v)) as DecisionJson;
}

/** SHA-256 (hex) of the capability's canonical definition (every field, snake_case). */
export function capabilityDefinitionSha256(capability: ResolvedCapability): string {
  return createHash("sha256")
    .update(
      canonicalJson({
        capability_id: capability.capabilityId,
        name: capability.name,
        description: capability.description,
        safety_class: capability.safetyClass,
        sensitivity: capability.sensitivity,
        tool_type: capability.toolType,
        allowed_fields: capability.allowedFields,
        tags: capability.tags,
      }),
    )
    .digest("hex");
}

/**
 * Secret sweep of one input object, key by key: values the firewall's redaction would change are
 * stored redacted and their paths listed, so replay refuses to feed them to a candidate.
 */
function sweepObject(
  obj: Readonly<Record<string, unknown>> | undefined,
  prefix: string,
  redacted: string[],
): { [key: string]: DecisionJson } {
  const out: { [key: string]: DecisionJson } = {};
  if (obj === undefined || obj === null) return out;
  const swept = redact(isPlainObject(obj) ? obj : Object.fromEntries(Object.entries(obj))).value as Record<
    string,
    unknown
  >;
  for (const key of Object.keys(obj)) {
    let original: string | undefined;
    try {
      original = canonicalJson(obj[key]);
    } catch {
      original = undefined;
    }
    let clean: string | undefined;
    try {
      clean = canonicalJson(swept[key]);
    } catch {
      clean = undefined;
    }
    if (original === undefined || clean === undefined || original !== clean) {
      redacted.push(`${prefix}${key}`);
      out[key] = clean === undefined ? REDACTED : toJson(swept[key]);
    } else {
      out[key] = JSON.parse(clean) as DecisionJson;
    }
  }
  return out;
}

function sweepString(text: string, path: string, redacted: string[]): string {
  const r = redactString(text);
  if (r.redacted) redacted.push(path);
  return r.value;
}

/** Builds and appends decision records for one kernel. */
export class DecisionCapture {
  readonly #log: DecisionLog;
  readonly #mode: JustificationMode;
  readonly #key: string | undefined;
  readonly #kernelId: string;

  constructor(options: DecisionCaptureOptions, kernelId: string) {
    if (typeof options?.log?.append !== "function")
      throw new InvalidArgumentError("decisions.log needs an append(record) method (e.g. store.decisions).");
    const mode = options.justification ?? "as_is";
    if (!JUSTIFICATION_MODES.includes(mode))
      throw new InvalidArgumentError(
        `decisions.justification must be one of ${JUSTIFICATION_MODES.join(", ")}, got ${JSON.stringify(mode)}`,
      );
    this.#log = options.log;
    this.#mode = mode;
    this.#key = mode === "digest" ? resolveSecret(options.justificationKey) : undefined;
    this.#kernelId = kernelId;
  }

  /** The context to pin the live evaluation to, so the record holds exactly what was used. */
  context(
    engine: PolicyEngine,
    request: CapabilityRequest,
    capability: ResolvedCapability,
    principal: Principal,
  ): DecisionContext | undefined {
    const ctx = engine.decisionContext?.(request, capability, principal);
    return ctx === undefined ? undefined : { ...ctx, decidedAt: ctx.decidedAt ?? nowIso(), replay: false };
  }

  build(
    engine: PolicyEngine,
    input: {
      request: CapabilityRequest;
      capability: ResolvedCapability;
      principal: Principal;
      justification: string;
    },
    ctx: DecisionContext | undefined,
    outcome: DecisionOutcome,
  ): DecisionRecordJson {
    const { request, capability, principal, justification } = input;
    const redacted: string[] = [];
    const facts = justificationFacts(justification);
    let text: string | null = null;
    let digest: string | null = null;
    if (this.#mode === "as_is") text = sweepString(justification, "justification", redacted);
    if (this.#mode === "digest")
      digest = createHmac("sha256", this.#key as string)
        .update(justification, "utf8")
        .digest("hex");
    const identity: EngineIdentity = engine.identity?.() ?? {
      name: engine.constructor?.name || "anonymous",
      sha256: null,
    };
    const window: RateWindowState | null = ctx?.rateWindow ?? null;
    return {
      schema: DECISION_RECORD_SCHEMA,
      decision_id: randomUUID(),
      decided_at: ctx?.decidedAt ?? nowIso(),
      kernel_id: this.#kernelId,
      request: {
        capability_id: request.capabilityId,
        goal: sweepString(String(request.goal ?? ""), "request.goal", redacted),
        constraints: sweepObject(request.constraints, "request.constraints.", redacted),
        intent:
          request.intent === undefined || request.intent === null
            ? null
            : sweepString(String(request.intent), "request.intent", redacted),
        scope: sweepObject(request.scope, "request.scope.", redacted),
      },
      capability: {
        capability_id: capability.capabilityId,
        name: capability.name,
        description: capability.description,
        safety_class: capability.safetyClass,
        sensitivity: capability.sensitivity,
        tool_type: capability.toolType,
        allowed_fields: [...capability.allowedFields],
        tags: [...capability.tags],
        definition_sha256: capabilityDefinitionSha256(capability),
      },
      principal: {
        principal_id: principal.principalId,
        roles: [...(principal.roles ?? [])].map(String),
        attributes: sweepObject(principal.attributes, "principal.attributes.", redacted),
      },
      justification: {
        mode: this.#mode,
        text,
        length: facts.length,
        stripped_length: facts.strippedLength,
        digest,
      },
      baseline: { allowed: outcome.allowed, reason_code: outcome.reasonCode },
      clock: ctx?.clock ?? null,
      rate_window:
        window === null ? null : { key: window.key, window_s: window.windowS, stamps: [...window.stamps] },
      engine: {
        name: identity.name,
        sha256: identity.sha256,
        config:
          identity.config === undefined ? null : (toJson(identity.config) as { [key: string]: DecisionJson }),
      },
      redacted,
    };
  }

  /**
   * Evaluates `engine` at a pinned context and records the outcome: a denial (thrown, or returned
   * as `allowed: false`) is recorded and re-thrown as PolicyDeniedError; an allowed decision is
   * returned only once its record is appended. Engine failures other than a denial are not
   * decisions and are re-thrown unrecorded.
   */
  evaluate(
    engine: PolicyEngine,
    input: {
      request: CapabilityRequest;
      capability: ResolvedCapability;
      principal: Principal;
      justification: string;
    },
  ): PolicyDecision {
    const { request, capability, principal, justification } = input;
    const at = this.context(engine, request, capability, principal);
    let decision: PolicyDecision;
    try {
      decision = engine.evaluate(request, capability, principal, {
        justification,
        ...(at !== undefined && { at }),
      });
      if (!decision.allowed) throw new PolicyDeniedError(decision.reason, decision.reasonCode);
    } catch (err) {
      if (err instanceof PolicyDeniedError)
        this.appendDenied(this.build(engine, input, at, { allowed: false, reasonCode: err.reasonCode }), err);
      throw err;
    }
    this.appendAllowed(this.build(engine, input, at, { allowed: true, reasonCode: decision.reasonCode }));
    return decision;
  }

  /** Appends; an allowed grant without its record is refused (fail closed). */
  appendAllowed(record: DecisionRecordJson): void {
    try {
      this.#log.append(record);
    } catch (cause) {
      throw new DecisionCaptureError(
        `grant refused: its decision could not be recorded (${errorText(cause)})`,
        { cause },
      );
    }
  }

  /** Appends a denial's record; a failure is warned about and the denial itself still stands. */
  appendDenied(record: DecisionRecordJson, denial: PolicyDeniedError): void {
    try {
      this.#log.append(record);
    } catch (cause) {
      process.emitWarning(
        `Denied decision (${denial.reasonCode ?? "no reason code"}) could not be recorded (${errorText(cause)}).`,
        { code: "WEFT_DECISION_CAPTURE_FAILED" },
      );
    }
  }
}

function errorText(e: unknown): string {
  const code = (e as { code?: unknown })?.code;
  return typeof code === "string" ? code : e instanceof Error ? e.name : "unknown error";
}

// ------------------------------------------------------------------ decode

function obj(v: unknown): Record<string, unknown> | undefined {
  return typeof v === "object" && v !== null && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;
}

function num(v: unknown): number | undefined {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  // The store's lossless parser keeps number lexemes.
  const lex =
    (v as { kind?: unknown; lexeme?: unknown })?.kind === "json-number"
      ? (v as { lexeme: string }).lexeme
      : undefined;
  if (lex === undefined) return undefined;
  const n = Number(lex);
  return Number.isFinite(n) ? n : undefined;
}

function strList(v: unknown): string[] | undefined {
  return Array.isArray(v) && v.every((x) => typeof x === "string") ? (v as string[]) : undefined;
}

function plain(v: unknown): Record<string, unknown> {
  // Lossless numbers become JS numbers so a candidate sees ordinary JSON values.
  const walk = (x: unknown): unknown => {
    const n = (x as { kind?: unknown })?.kind === "json-number" ? num(x) : undefined;
    if (n !== undefined) return n;
    if (Array.isArray(x)) return x.map(walk);
    const o = obj(x);
    if (o === undefined) return x;
    const out: Record<string, unknown> = {};
    for (const [k, val] of Object.entries(o)) out[k] = walk(val);
    return out;
  };
  return (walk(v) as Record<string, unknown> | undefined) ?? {};
}

export type DecodedDecision = { ok: true; record: DecisionRecord } | { ok: false; missing: string[] };

/**
 * Reads a `weft.decision/v1` payload back into a DecisionRecord. A payload lacking a field every
 * replay needs is returned as `{ ok: false, missing }` (reported as not replayable, never guessed);
 * fields only some engines need (clock, rate window, justification text) decode to null and are
 * refused later, by the engine that asks for them.
 */
export function decodeDecisionRecord(payload: unknown, seq?: number): DecodedDecision {
  const p = obj(payload);
  if (p === undefined) return { ok: false, missing: ["payload"] };
  const missing: string[] = [];
  if (p.schema !== DECISION_RECORD_SCHEMA) missing.push("schema");
  const req = obj(p.request);
  const cap = obj(p.capability);
  const pr = obj(p.principal);
  const base = obj(p.baseline);
  const just = obj(p.justification);
  const need = (ok: boolean, path: string) => {
    if (!ok) missing.push(path);
  };
  need(typeof req?.capability_id === "string", "request.capability_id");
  need(typeof req?.goal === "string", "request.goal");
  need(typeof cap?.capability_id === "string", "capability.capability_id");
  need(typeof cap?.safety_class === "string", "capability.safety_class");
  need(typeof cap?.sensitivity === "string", "capability.sensitivity");
  need(strList(cap?.allowed_fields) !== undefined, "capability.allowed_fields");
  need(typeof pr?.principal_id === "string", "principal.principal_id");
  need(strList(pr?.roles) !== undefined, "principal.roles");
  need(typeof base?.allowed === "boolean", "baseline.allowed");
  need(
    just !== undefined && num(just.length) !== undefined && num(just.stripped_length) !== undefined,
    "justification",
  );
  if (missing.length > 0 || !req || !cap || !pr || !base || !just) return { ok: false, missing };

  const rw = obj(p.rate_window);
  let rateWindow: RateWindowState | null = null;
  if (rw !== undefined) {
    const windowS = num(rw.window_s);
    const stamps = Array.isArray(rw.stamps) ? rw.stamps.map(num) : undefined;
    if (typeof rw.key === "string" && windowS !== undefined && stamps?.every((s) => s !== undefined))
      rateWindow = { key: rw.key, windowS, stamps: stamps as number[] };
  }
  const mode = JUSTIFICATION_MODES.includes(just.mode as JustificationMode)
    ? (just.mode as JustificationMode)
    : undefined;
  const eng = obj(p.engine);
  const record: DecisionRecord = {
    request: {
      capabilityId: req.capability_id as string,
      goal: req.goal as string,
      constraints: plain(req.constraints),
      intent: typeof req.intent === "string" ? req.intent : null,
      scope: plain(req.scope),
    },
    capability: {
      capabilityId: cap.capability_id as string,
      name: typeof cap.name === "string" ? cap.name : "",
      description: typeof cap.description === "string" ? cap.description : "",
      safetyClass: cap.safety_class as SafetyClass,
      sensitivity: cap.sensitivity as Sensitivity,
      toolType: TOOL_TYPES.includes(cap.tool_type as ToolType) ? (cap.tool_type as ToolType) : "function",
      allowedFields: strList(cap.allowed_fields) ?? [],
      tags: strList(cap.tags) ?? [],
    },
    principal: {
      principalId: pr.principal_id as string,
      roles: strList(pr.roles) ?? [],
      attributes: plain(pr.attributes),
    },
    justification: typeof just.text === "string" ? just.text : null,
    justificationFacts: {
      length: num(just.length) as number,
      strippedLength: num(just.stripped_length) as number,
    },
    justificationDigest: typeof just.digest === "string" ? just.digest : null,
    baselineAllowed: base.allowed as boolean,
    baselineReasonCode: typeof base.reason_code === "string" ? base.reason_code : null,
    clock: num(p.clock) ?? null,
    rateWindow,
    redacted: strList(p.redacted) ?? [],
    ...(mode !== undefined && { justificationMode: mode }),
    ...(typeof p.decision_id === "string" && { decisionId: p.decision_id }),
    ...(typeof p.decided_at === "string" && { decidedAt: p.decided_at }),
    ...(typeof p.kernel_id === "string" && { kernelId: p.kernel_id }),
    ...(typeof cap.definition_sha256 === "string" && { capabilityDefinitionSha256: cap.definition_sha256 }),
    ...(seq !== undefined && { seq }),
    ...(eng !== undefined &&
      typeof eng.name === "string" && {
        engine: {
          name: eng.name,
          sha256: typeof eng.sha256 === "string" ? eng.sha256 : null,
          ...(obj(eng.config) !== undefined && { config: plain(eng.config) }),
        },
      }),
  };
  return { ok: true, record: deepFreeze(record) };
}

/** Decoded records are evidence: frozen, so replaying one cannot change it for the next replay. */
function deepFreeze<T>(v: T): T {
  if (typeof v === "object" && v !== null && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}
