// Grant-time policy. `DefaultPolicyEngine` reproduces weaver-kernel 0.12's rules, messages and
// reason codes in the same order: safety-class roles and justification, PII/PCI tenant and field
// restriction, SECRETS, MEMORY, the max_rows cap, then the per-principal sliding-window rate limit.

import { createHash } from "node:crypto";
import { DecisionFieldMissingError, PolicyConfigError, PolicyDeniedError } from "./errors.js";
import type {
  CapabilityRequest,
  DenialExplanation,
  FailedCondition,
  PolicyDecision,
  PolicyTraceStep,
  Principal,
  ResolvedCapability,
} from "./models.js";
import { canonicalJson, pyFloatRepr, pyStrListRepr, pyStrRepr, quoted } from "./pyjson.js";
import {
  DEFAULT_RATE_LIMITS,
  fitsWindow,
  RateLimiter,
  type RateLimits,
  SERVICE_RATE_MULTIPLIER,
} from "./rate-limit.js";
import { AllowReason, DenialReason } from "./reasons.js";
import type { SafetyClass } from "./trace.js";

export const MIN_JUSTIFICATION = 15;
export const MAX_ROWS_USER = 50;
export const MAX_ROWS_SERVICE = 500;

export interface EvaluateOptions {
  /**
   * Free-text justification. On replay of a record that kept only its length or a digest, reading
   * this throws `DecisionFieldMissingError` (the record is then reported as not replayable).
   */
  justification: string;
  /** Lengths of the justification; set on replay so length-only rules need not read the text. */
  justificationFacts?: JustificationFacts;
  /** Capture or replay: evaluate as of this recorded moment instead of the engine's own clock. */
  at?: DecisionContext;
}

export interface JustificationFacts {
  /** Code points (Python `len`). */
  length: number;
  /** Code points after Python `str.strip()`. */
  strippedLength: number;
}

/** The sliding-window state of one rate-limit key just before a decision. */
export interface RateWindowState {
  /** "principal:capability". */
  key: string;
  /** Window the baseline engine kept stamps for; older stamps were already forgotten. */
  windowS: number;
  /** Engine-clock seconds of the earlier allowed grants still inside the window, oldest first. */
  stamps: readonly number[];
}

/** What a stateful engine's decision depended on besides its inputs. */
export interface DecisionContext {
  /** Engine clock (seconds, monotonic) the decision was taken at; null when not recorded. */
  clock: number | null;
  /** Wall-clock time of the decision (Python isoformat, UTC). */
  decidedAt?: string;
  /** The rate-limit window for this request's key; null when not recorded. */
  rateWindow: RateWindowState | null;
  /**
   * true: pure evaluation from the recorded state (replay) — nothing is read from or written to
   * the engine's own limiter. false: live decision at the pinned clock (capture).
   */
  replay: boolean;
}

/** Identity of a policy engine's rules and configuration, recorded with each captured decision. */
export interface EngineIdentity {
  name: string;
  /** SHA-256 (hex) of the engine's canonical configuration, or of its module; null when unknown. */
  sha256: string | null;
  /** The configuration hashed, when it is plain data (lets replay rebuild the baseline engine). */
  config?: Record<string, unknown>;
}
/** A policy engine decides grants; deny by throwing `PolicyDeniedError` with a reason code. */
export interface PolicyEngine {
  evaluate(
    request: CapabilityRequest,
    capability: ResolvedCapability,
    principal: Principal,
    options: EvaluateOptions,
  ): PolicyDecision;
  /** Optional: explain what would be denied and how to fix it, without side effects. */
  explain?(
    request: CapabilityRequest,
    capability: ResolvedCapability,
    principal: Principal,
    options: EvaluateOptions,
  ): DenialExplanation;
  /** Optional: the clock and rate-limit state the next `evaluate` of this request would use. */
  decisionContext?(
    request: CapabilityRequest,
    capability: ResolvedCapability,
    principal: Principal,
  ): Omit<DecisionContext, "replay">;
  /** Optional: the engine's rules/configuration identity (recorded with captured decisions). */
  identity?(): EngineIdentity;
}

/** Version of DefaultPolicyEngine's rule set; part of its identity hash. */
export const DEFAULT_POLICY_RULES = "weaver-kernel-0.12/default-policy";

export interface DefaultPolicyEngineOptions {
  /** Overrides per safety class: [invocations, window seconds]. */
  rateLimits?: Partial<RateLimits>;
  /** Monotonic clock in seconds (tests). */
  clock?: () => number;
}

function hasAny(roles: ReadonlySet<string>, wanted: readonly string[]): boolean {
  return wanted.some((r) => roles.has(r));
}

function sortedRoles(roles: ReadonlySet<string>): string {
  return pyStrListRepr([...roles].sort());
}

export class DefaultPolicyEngine implements PolicyEngine {
  readonly #limits: RateLimits;
  readonly #limiter: RateLimiter;
  #identity: EngineIdentity | undefined;

  constructor(options: DefaultPolicyEngineOptions = {}) {
    const limits: RateLimits = { ...DEFAULT_RATE_LIMITS, ...options.rateLimits };
    for (const [sc, [count, window]] of Object.entries(limits)) {
      if (!(count >= 1) || !(window > 0))
        throw new PolicyConfigError(
          `Invalid rate limit for ${sc}: limit must be >= 1 and window must be > 0, got limit=${count}, window=${window}.`,
        );
    }
    this.#limits = limits;
    this.#limiter = new RateLimiter(options.clock);
  }

  /** The rate limits in force, per safety class. */
  get rateLimits(): Readonly<RateLimits> {
    return this.#limits;
  }

  identity(): EngineIdentity {
    if (this.#identity === undefined) {
      const rateLimits: Record<string, number[]> = {};
      for (const sc of Object.keys(this.#limits).sort()) {
        const [count, window] = this.#limits[sc as SafetyClass];
        rateLimits[sc] = [count, window];
      }
      const config = { rateLimits };
      const sha256 = createHash("sha256")
        .update(canonicalJson({ engine: "DefaultPolicyEngine", rules: DEFAULT_POLICY_RULES, config }))
        .digest("hex");
      this.#identity = { name: "DefaultPolicyEngine", sha256, config };
    }
    return this.#identity;
  }

  decisionContext(
    _request: CapabilityRequest,
    capability: ResolvedCapability,
    principal: Principal,
  ): Omit<DecisionContext, "replay"> {
    const clock = this.#limiter.now();
    const entry = this.#limits[capability.safetyClass as SafetyClass];
    if (entry === undefined) return { clock, rateWindow: null };
    const key = `${principal.principalId}:${capability.capabilityId}`;
    return {
      clock,
      rateWindow: { key, windowS: entry[1], stamps: this.#limiter.peek(key, entry[1], clock) },
    };
  }

  evaluate(
    request: CapabilityRequest,
    capability: ResolvedCapability,
    principal: Principal,
    options: EvaluateOptions,
  ): PolicyDecision {
    const at = options.at;
    const roles = new Set(principal.roles ?? []);
    const constraints: Record<string, unknown> = { ...request.constraints };
    const pid = principal.principalId;
    const cid = capability.capabilityId;
    const steps: PolicyTraceStep[] = [];
    const deny = (detail: string, code: DenialReason): never => {
      steps.push({ name: "deny", outcome: "denied", detail, reasonCode: code });
      throw new PolicyDeniedError(detail, code);
    };
    const requireJustification = (label: string) => {
      // Read lazily: a replayed record may hold only the lengths, which is all this rule needs.
      const { length, strippedLength: stripped } =
        options.justificationFacts ?? justificationFacts(options.justification);
      if (stripped < MIN_JUSTIFICATION)
        deny(
          `${label} capabilities require a justification of at least ${MIN_JUSTIFICATION} characters. ` +
            `Got ${length} characters (${stripped} after trimming whitespace).`,
          DenialReason.INSUFFICIENT_JUSTIFICATION,
        );
    };

    if (capability.safetyClass === "WRITE") {
      if (!hasAny(roles, ["writer", "admin"]))
        deny(
          `WRITE capabilities require the 'writer' or 'admin' role. Principal ${quoted(pid)} has roles: ${sortedRoles(roles)}.`,
          DenialReason.MISSING_ROLE,
        );
      requireJustification("WRITE");
    } else if (capability.safetyClass === "DESTRUCTIVE") {
      if (!roles.has("admin"))
        deny(
          `DESTRUCTIVE capabilities require the 'admin' role. Principal ${quoted(pid)} has roles: ${sortedRoles(roles)}.`,
          DenialReason.MISSING_ROLE,
        );
      requireJustification("DESTRUCTIVE");
    }

    if (capability.sensitivity === "PII" || capability.sensitivity === "PCI") {
      if (!Object.hasOwn(principal.attributes ?? {}, "tenant"))
        deny(
          `Capability ${quoted(cid)} has ${capability.sensitivity} sensitivity and requires the principal to have a 'tenant' attribute.`,
          DenialReason.MISSING_TENANT_ATTRIBUTE,
        );
      if (capability.allowedFields.length > 0 && !roles.has("pii_reader")) {
        constraints.allowed_fields = [...capability.allowedFields];
        steps.push({
          name: "sensitivity:allowed_fields",
          outcome: "constraint_applied",
          detail: `applied allowed_fields=${pyStrListRepr(capability.allowedFields)}`,
        });
      }
    }

    if (capability.sensitivity === "SECRETS") {
      if (!hasAny(roles, ["admin", "secrets_reader"]))
        deny(
          `SECRETS capabilities require the 'admin' or 'secrets_reader' role. Principal ${quoted(pid)} has roles: ${sortedRoles(roles)}.`,
          DenialReason.MISSING_ROLE,
        );
      requireJustification("SECRETS");
    }

    if (capability.sensitivity === "MEMORY") {
      const memoryScope = String(request.scope?.memory_scope ?? "");
      const isWrite = capability.safetyClass === "WRITE" || capability.safetyClass === "DESTRUCTIVE";
      if (isWrite && !hasAny(roles, ["memory_writer", "admin"]))
        deny(
          `MEMORY write capabilities require the 'memory_writer' or 'admin' role. Principal ${quoted(pid)} has roles: ${sortedRoles(roles)}.`,
          DenialReason.MEMORY_WRITE_REQUIRES_WRITER,
        );
      if (!isWrite && memoryScope === "sensitive" && !hasAny(roles, ["memory_reader_sensitive", "admin"]))
        deny(
          `MEMORY read with scope='sensitive' requires the 'memory_reader_sensitive' or 'admin' role. Principal ${quoted(pid)} has roles: ${sortedRoles(roles)}.`,
          DenialReason.MEMORY_SENSITIVE_READ_DENIED,
        );
    }

    const maxRows = roles.has("service") ? MAX_ROWS_SERVICE : MAX_ROWS_USER;
    if (Object.hasOwn(constraints, "max_rows")) {
      const requested = pyInt(constraints.max_rows);
      if (requested === undefined)
        deny(
          `Invalid 'max_rows' constraint: ${pyValueRepr(constraints.max_rows)} is not a valid integer.`,
          DenialReason.INVALID_CONSTRAINT,
        );
      constraints.max_rows = Math.min(Math.max(requested ?? 0, 0), maxRows);
    } else {
      constraints.max_rows = maxRows;
    }
    steps.push({ name: "row_cap", outcome: "constraint_applied", detail: "max_rows capped" });

    const rateKey = `${pid}:${cid}`;
    const limitEntry = this.#limits[capability.safetyClass as SafetyClass];
    if (limitEntry !== undefined) {
      let [limit] = limitEntry;
      const window = limitEntry[1];
      if (roles.has("service")) limit *= SERVICE_RATE_MULTIPLIER;
      let fits: boolean;
      if (at?.replay) {
        // Pure: the recorded window decides; the engine's own limiter is neither read nor written,
        // so no state leaks from one replayed record into the next.
        const w = at.rateWindow;
        const missing: string[] = [];
        if (at.clock === null) missing.push("clock");
        if (w === null || w.key !== rateKey || window > w.windowS) missing.push("rate_window");
        if (missing.length > 0) throw new DecisionFieldMissingError(missing);
        fits = fitsWindow((w as RateWindowState).stamps, limit, window, at.clock as number);
      } else {
        const now = at?.clock ?? this.#limiter.now();
        fits = this.#limiter.check(rateKey, limit, window, now);
        if (fits) this.#limiter.record(rateKey, now);
      }
      if (!fits)
        deny(
          `Rate limit exceeded: ${limit} ${capability.safetyClass} invocations per ${pyFloatRepr(window)}s for principal ${quoted(pid)}`,
          DenialReason.RATE_LIMITED,
        );
    }

    const reason = "Request approved by DefaultPolicyEngine.";
    steps.push({
      name: "allow",
      outcome: "allowed",
      detail: reason,
      reasonCode: AllowReason.DEFAULT_POLICY_ALLOW,
    });
    return { allowed: true, reason, constraints, reasonCode: AllowReason.DEFAULT_POLICY_ALLOW, steps };
  }

  /** Every failed condition (not just the first), with a suggestion each. Never records a rate-limit hit. */
  explain(
    request: CapabilityRequest,
    capability: ResolvedCapability,
    principal: Principal,
    options: EvaluateOptions,
  ): DenialExplanation {
    const roles = new Set(principal.roles ?? []);
    const actualRoles = [...roles].sort();
    const pid = principal.principalId;
    const cid = capability.capabilityId;
    const failed: FailedCondition[] = [];
    const q = quoted(pid);
    const justificationCheck = () => {
      const stripped = (options.justificationFacts ?? justificationFacts(options.justification))
        .strippedLength;
      if (stripped < MIN_JUSTIFICATION)
        failed.push({
          condition: "min_justification",
          required: MIN_JUSTIFICATION,
          actual: stripped,
          suggestion: `Provide justification with at least ${MIN_JUSTIFICATION} characters (currently ${stripped})`,
          reasonCode: DenialReason.INSUFFICIENT_JUSTIFICATION,
        });
    };
    const roleCheck = (required: string[], suggestion: string, code: DenialReason) => {
      if (!hasAny(roles, required))
        failed.push({ condition: "roles", required, actual: actualRoles, suggestion, reasonCode: code });
    };
    if (capability.safetyClass === "WRITE") {
      roleCheck(
        ["writer", "admin"],
        `Add 'writer' or 'admin' role to principal ${q}`,
        DenialReason.MISSING_ROLE,
      );
      justificationCheck();
    } else if (capability.safetyClass === "DESTRUCTIVE") {
      roleCheck(["admin"], `Add 'admin' role to principal ${q}`, DenialReason.MISSING_ROLE);
      justificationCheck();
    }
    if (
      (capability.sensitivity === "PII" || capability.sensitivity === "PCI") &&
      !Object.hasOwn(principal.attributes ?? {}, "tenant")
    )
      failed.push({
        condition: "tenant_attribute",
        required: "present",
        actual: "absent",
        suggestion: `Add 'tenant' attribute to principal ${q}`,
        reasonCode: DenialReason.MISSING_TENANT_ATTRIBUTE,
      });
    if (capability.sensitivity === "SECRETS") {
      roleCheck(
        ["admin", "secrets_reader"],
        `Add 'admin' or 'secrets_reader' role to principal ${q}`,
        DenialReason.MISSING_ROLE,
      );
      justificationCheck();
    }
    if (capability.sensitivity === "MEMORY") {
      const memoryScope = String(request.scope?.memory_scope ?? "");
      const isWrite = capability.safetyClass === "WRITE" || capability.safetyClass === "DESTRUCTIVE";
      if (isWrite)
        roleCheck(
          ["memory_writer", "admin"],
          `Add 'memory_writer' or 'admin' role to principal ${q}`,
          DenialReason.MEMORY_WRITE_REQUIRES_WRITER,
        );
      if (!isWrite && memoryScope === "sensitive")
        roleCheck(
          ["memory_reader_sensitive", "admin"],
          `Add 'memory_reader_sensitive' or 'admin' role to principal ${q} (or narrow the request scope away from 'sensitive')`,
          DenialReason.MEMORY_SENSITIVE_READ_DENIED,
        );
    }
    const first = failed[0];
    if (first === undefined)
      return {
        denied: false,
        ruleName: "allowed",
        failedConditions: [],
        remediation: [],
        narrative: `Request for ${quoted(cid)} by ${q} would be allowed by DefaultPolicyEngine.`,
        reasonCode: null,
      };
    const remediation = failed.map((f) => f.suggestion);
    return {
      denied: true,
      ruleName: `${capability.safetyClass.toLowerCase()}-${first.condition.replaceAll("_", "-")}`,
      failedConditions: failed,
      remediation,
      narrative: `Request for ${quoted(cid)} by ${q} would be denied: ${remediation.join("; ")}.`,
      reasonCode: first.reasonCode,
    };
  }
}

/** Python `len(s)` and `len(s.strip())`: all the default rules read of a justification. */
export function justificationFacts(justification: string): JustificationFacts {
  return { length: pyLen(justification), strippedLength: pyLen(pyStrip(justification)) };
}

/** Python `str.strip()` (whitespace per `str.isspace`, close enough for ASCII and common Unicode). */
function pyStrip(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isPySpace(s.charCodeAt(a))) a++;
  while (b > a && isPySpace(s.charCodeAt(b - 1))) b--;
  return s.slice(a, b);
}

function isPySpace(c: number): boolean {
  // JS \s plus the separators Python's str.isspace also accepts (FS, GS, RS, US, NEL).
  return (c >= 0x1c && c <= 0x1f) || c === 0x85 || WS_RE.test(String.fromCharCode(c));
}
const WS_RE = /\s/;

/** Python `len(str)` counts code points. */
function pyLen(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** Python `int(x)` for the values a JSON constraint can hold; undefined where Python raises. */
function pyInt(v: unknown): number | undefined {
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "number") return Number.isFinite(v) ? Math.trunc(v) : undefined;
  if (typeof v === "string") {
    const t = pyStrip(v).replaceAll("_", "");
    return /^[+-]?\d+$/.test(t) ? Number.parseInt(t, 10) : undefined;
  }
  return undefined;
}

function pyValueRepr(v: unknown): string {
  if (typeof v === "string") return pyStrRepr(v);
  if (v === null || v === undefined) return "None";
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : pyFloatRepr(v);
  if (Array.isArray(v)) return "[...]";
  if (typeof v === "object") return "{...}";
  return String(v);
}
