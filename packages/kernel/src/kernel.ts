// The Kernel mediates every capability call: grant (policy → signed token), invoke (verify →
// route → drivers with fallback → firewall → handle → trace), expand (handle caps → trace) and
// revocation. Each operation is published on a TracingChannel when, and only when, someone
// subscribes; without subscribers the hot path does no channel work at all.

import { createHmac, randomUUID } from "node:crypto";
import {
  type ExpandMessage,
  expandChannel,
  type GrantMessage,
  grantChannel,
  type InvokeMessage,
  invokeChannel,
  type RevokeMessage,
  revokeChannel,
} from "./channels.js";
import { DecisionCapture, type DecisionCaptureOptions } from "./decisions.js";
import type { Driver, ExecutionContext } from "./drivers/driver.js";
import {
  DriverError,
  InvalidArgumentError,
  PolicyDeniedError,
  ReasonedWeftError,
  TraceNotFoundError,
  WeftError,
} from "./errors.js";
import { Firewall } from "./firewall/firewall.js";
import { isPlainObject, redactString } from "./firewall/redact.js";
import { type ExpandQuery, HandleStore } from "./handles.js";
import type {
  CapabilityGrant,
  CapabilityRequest,
  CapabilityToken,
  DenialExplanation,
  DryRunResult,
  Frame,
  Handle,
  Principal,
  RawResult,
  ResolvedCapability,
  RoutePlan,
} from "./models.js";
import { DefaultPolicyEngine, type PolicyEngine } from "./policy.js";
import { canonicalJson, pyFloatRepr, pyStrRepr, quoted } from "./pyjson.js";
import { AllowReason } from "./reasons.js";
import type { CapabilityRegistry } from "./registry.js";
import { type Router, StaticRouter } from "./router.js";
import { KernelStats, type StatsSnapshot } from "./stats.js";
import { HmacTokenProvider, type TokenProvider } from "./token.js";
import type { ActionTrace, ResponseMode, RevocationStore, TraceQuery, TraceStore } from "./trace.js";
import {
  denyTrace,
  expandTrace,
  type InvokeTraceFields,
  invokeFailureTrace,
  invokeSuccessTrace,
  resultSummary,
} from "./trace-record.js";
import { InMemoryTraceStore } from "./trace-store.js";
import { tracePromise, traceSync } from "./tracing.js";

export const DEFAULT_KERNEL_ID = "weft-kernel";
/** Token-constraint key carrying a per-invocation deadline in seconds (reference #191). */
export const INVOKE_TIMEOUT_CONSTRAINT = "invoke_timeout_s";

const RESPONSE_MODES: ReadonlySet<string> = new Set(["summary", "table", "handle_only", "raw"]);

export interface KernelOptions {
  registry: CapabilityRegistry;
  /** Carried on every channel message (and so on spans/metrics). Default "weft-kernel". */
  kernelId?: string;
  traceStore?: TraceStore;
  tokenProvider?: TokenProvider;
  /** Secret for the default token provider (else WEFT_SECRET / WEAVER_KERNEL_SECRET / dev secret). */
  secret?: string;
  /** Passed to the default token provider. */
  revocationStore?: RevocationStore;
  policy?: PolicyEngine;
  router?: Router;
  firewall?: Firewall;
  handleStore?: HandleStore;
  /** Capture every grant decision's inputs to a decision log (see docs/policy-replay.md). */
  decisions?: DecisionCaptureOptions;
}

export interface GrantOptions {
  justification?: string;
  /** Token lifetime in seconds (default: the provider's, 3600). */
  ttlS?: number;
}

export interface InvokeOptions {
  principal: Principal;
  args?: Record<string, unknown>;
  /** Default "summary". `raw` falls back to `summary` unless the principal has role `admin`. */
  responseMode?: ResponseMode;
  dryRun?: boolean;
}

export interface ExpandOptions {
  query?: ExpandQuery;
  principal?: Principal;
}

export interface KernelGauges {
  traceStoreSize: number;
  liveHandles: number;
  trackedRevocations: number;
}

// Every constructed kernel, weakly held, on globalThis so duplicate copies of this module share it.
const LIVE_KEY = Symbol.for("weft.kernel.live");
interface LiveSlot {
  [LIVE_KEY]?: { refs: Set<WeakRef<Kernel>>; registry: FinalizationRegistry<WeakRef<Kernel>> };
}
function liveSet() {
  const slot = globalThis as LiveSlot;
  let live = slot[LIVE_KEY];
  if (live === undefined) {
    const refs = new Set<WeakRef<Kernel>>();
    live = { refs, registry: new FinalizationRegistry((ref) => refs.delete(ref)) };
    slot[LIVE_KEY] = live;
  }
  return live;
}

/** Every constructed kernel not yet garbage-collected (instrumentation discovers kernels here). */
export function liveKernels(): Kernel[] {
  const out: Kernel[] = [];
  for (const ref of liveSet().refs) {
    const k = ref.deref();
    if (k !== undefined) out.push(k);
  }
  return out;
}

/**
 * The message's `digestArgs`: a small closure over the args (an own property, so it survives a
 * subscriber copying the message and works unbound); the canonical JSON and HMAC are computed
 * only when a subscriber asks.
 */
function argsDigester(args: Record<string, unknown> | undefined): (key: string | Uint8Array) => string {
  return (key) =>
    createHmac("sha256", key)
      .update(canonicalJson(args ?? {}), "utf8")
      .digest("hex");
}

function errorCode(err: unknown): string {
  return err instanceof WeftError ? err.code : "UNEXPECTED";
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

interface DriverOutcome {
  result: RawResult | undefined;
  driverId: string;
  lastError: unknown;
  fellBack: boolean;
  tried: string[];
}

export class Kernel {
  readonly id: string;
  readonly registry: CapabilityRegistry;
  readonly traceStore: TraceStore;
  readonly tokenProvider: TokenProvider;
  readonly policy: PolicyEngine;
  readonly router: Router;
  readonly firewall: Firewall;
  readonly handleStore: HandleStore;
  readonly #drivers = new Map<string, Driver>();
  readonly #stats = new KernelStats();
  readonly #decisions: DecisionCapture | undefined;

  constructor(options: KernelOptions) {
    if (options?.registry === undefined) throw new InvalidArgumentError("Kernel needs a registry.");
    this.registry = options.registry;
    this.id = options.kernelId ?? DEFAULT_KERNEL_ID;
    this.traceStore = options.traceStore ?? new InMemoryTraceStore();
    this.tokenProvider =
      options.tokenProvider ??
      new HmacTokenProvider({
        ...(options.secret !== undefined && { secret: options.secret }),
        ...(options.revocationStore !== undefined && { revocationStore: options.revocationStore }),
      });
    this.policy = options.policy ?? new DefaultPolicyEngine();
    this.router = options.router ?? new StaticRouter();
    this.firewall = options.firewall ?? new Firewall();
    this.handleStore = options.handleStore ?? new HandleStore();
    this.#decisions =
      options.decisions === undefined ? undefined : new DecisionCapture(options.decisions, this.id);
    const live = liveSet();
    const ref = new WeakRef<Kernel>(this);
    live.refs.add(ref);
    live.registry.register(this, ref);
  }

  /** Registers (or silently replaces) a driver under its `driverId`. */
  registerDriver(driver: Driver): void {
    if (
      typeof driver?.driverId !== "string" ||
      driver.driverId === "" ||
      typeof driver.execute !== "function"
    )
      throw new InvalidArgumentError("A driver needs a non-empty driverId and an execute(ctx) method.");
    this.#drivers.set(driver.driverId, driver);
  }

  get drivers(): ReadonlyMap<string, Driver> {
    return this.#drivers;
  }

  listCapabilities(): ResolvedCapability[] {
    return this.registry.list();
  }

  requestCapabilities(goal: string): CapabilityRequest[] {
    return this.registry.search(goal);
  }

  // ---------------------------------------------------------------- grant

  grantCapability(
    request: CapabilityRequest,
    principal: Principal,
    options: GrantOptions = {},
  ): CapabilityGrant {
    if (!grantChannel.hasSubscribers) return this.#grant(request, principal, options, undefined);
    const cap =
      typeof request?.capabilityId === "string" && this.registry.has(request.capabilityId)
        ? this.registry.get(request.capabilityId)
        : undefined;
    const msg: GrantMessage = {
      kernelId: this.id,
      principalId: String(principal?.principalId ?? ""),
      capabilityId: String(request?.capabilityId ?? ""),
      safetyClass: cap?.safetyClass ?? "",
      sensitivity: cap?.sensitivity ?? "",
    };
    return traceSync(grantChannel, msg, this.#grant, this, request, principal, options, msg);
  }

  #grant(
    request: CapabilityRequest,
    principal: Principal,
    options: GrantOptions,
    msg: GrantMessage | undefined,
  ): CapabilityGrant {
    try {
      validateRequest(request);
      validatePrincipal(principal);
      const capability = this.registry.get(request.capabilityId);
      let decision: ReturnType<PolicyEngine["evaluate"]>;
      const justification = options.justification ?? "";
      const capture = this.#decisions;
      const at = capture?.context(this.policy, request, capability, principal);
      try {
        decision = this.policy.evaluate(request, capability, principal, {
          justification,
          ...(at !== undefined && { at }),
        });
        if (!decision.allowed) throw new PolicyDeniedError(decision.reason, decision.reasonCode);
      } catch (err) {
        if (err instanceof PolicyDeniedError) {
          capture?.appendDenied(
            capture.build(this.policy, { request, capability, principal, justification }, at, {
              allowed: false,
              reasonCode: err.reasonCode,
            }),
            err,
          );
          this.#onGrantDenied(request, principal, err, msg);
        }
        throw err;
      }
      capture?.appendAllowed(
        capture.build(this.policy, { request, capability, principal, justification }, at, {
          allowed: true,
          reasonCode: decision.reasonCode,
        }),
      );
      const auditId = randomUUID();
      const token = this.tokenProvider.issue(capability.capabilityId, principal.principalId, {
        constraints: decision.constraints,
        auditId,
        ...(options.ttlS !== undefined && { ttlS: options.ttlS }),
      });
      this.#stats.onGrant();
      if (msg !== undefined) {
        msg.decision = "allow";
        if (decision.reasonCode !== null) msg.reasonCode = decision.reasonCode;
        msg.tokenId = token.tokenId;
        msg.expiresAt = token.expiresAt;
      }
      return { request, principal, decision, token, auditId };
    } catch (err) {
      if (msg !== undefined) msg.errorCode = errorCode(err);
      throw err;
    }
  }

  #onGrantDenied(
    request: CapabilityRequest,
    principal: Principal,
    err: PolicyDeniedError,
    msg: GrantMessage | undefined,
  ) {
    this.#stats.onDenial(err.reasonCode);
    const actionId = randomUUID();
    try {
      this.traceStore.record(
        denyTrace(actionId, request.capabilityId, principal.principalId, err.reasonCode, err.message),
      );
    } catch (storeErr) {
      // Best effort, as in the reference: a failing store must not turn a denial into another error.
      process.emitWarning(`Deny trace could not be recorded (${errorCode(storeErr)}).`, {
        code: "WEFT_DENY_TRACE_FAILED",
      });
    }
    if (msg !== undefined) {
      msg.decision = "deny";
      if (err.reasonCode !== null) msg.reasonCode = err.reasonCode;
      msg.actionId = actionId;
    }
  }

  /** What the policy would deny for this request, and how to fix it (needs an engine with `explain`). */
  explainDenial(
    request: CapabilityRequest,
    principal: Principal,
    options: { justification?: string } = {},
  ): DenialExplanation {
    const capability = this.registry.get(request.capabilityId);
    if (this.policy.explain === undefined)
      throw new WeftError(
        "EXPLAIN_UNSUPPORTED",
        "The policy engine does not implement explain(); structured denial explanations are unavailable.",
      );
    return this.policy.explain(request, capability, principal, {
      justification: options.justification ?? "",
    });
  }

  // ---------------------------------------------------------------- invoke

  invoke(token: CapabilityToken, options: InvokeOptions & { dryRun: true }): Promise<DryRunResult>;
  invoke(token: CapabilityToken, options: InvokeOptions & { dryRun?: false }): Promise<Frame>;
  invoke(token: CapabilityToken, options: InvokeOptions): Promise<Frame | DryRunResult>;
  invoke(token: CapabilityToken, options: InvokeOptions): Promise<Frame | DryRunResult> {
    if (!invokeChannel.hasSubscribers) return this.#invoke(token, options, undefined);
    const msg: InvokeMessage = {
      kernelId: this.id,
      principalId: String(options?.principal?.principalId ?? ""),
      capabilityId: String(token?.capabilityId ?? ""),
      tokenId: String(token?.tokenId ?? ""),
      requestedResponseMode: String(options?.responseMode ?? "summary"),
      dryRun: options?.dryRun === true,
      digestArgs: argsDigester(options?.args),
      // Every field the invoke fills in later, declared up front: the message keeps one shape
      // instead of growing through a chain of hidden-class transitions on every call.
      runInContext: undefined,
      actionId: undefined,
      safetyClass: undefined,
      sensitivity: undefined,
      responseMode: undefined,
      driverId: undefined,
      driversTried: undefined,
      fallback: undefined,
      handleId: undefined,
      decision: undefined,
      reasonCode: undefined,
      errorCode: undefined,
    };
    return tracePromise(invokeChannel, msg, this.#invoke, this, token, options, msg);
  }

  // Not async: the common path hands back #perform's own promise instead of wrapping it in one
  // more (an async function returning a promise costs an extra promise and two microtask hops,
  // and with an AsyncLocalStorage context manager every promise also runs its hooks). Failures
  // still surface as a rejected promise, never as a synchronous throw.
  #invoke(
    token: CapabilityToken,
    options: InvokeOptions,
    msg: InvokeMessage | undefined,
  ): Promise<Frame | DryRunResult> {
    try {
      const out = this.#prepare(token, options, msg);
      return out instanceof Promise ? out : Promise.resolve(out);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Verifies and routes; returns the dry-run answer, or the running invocation. */
  #prepare(
    token: CapabilityToken,
    options: InvokeOptions,
    msg: InvokeMessage | undefined,
  ): Promise<Frame> | DryRunResult {
    let capability: ResolvedCapability;
    let plan: RoutePlan;
    const principal = options?.principal;
    const args = options?.args ?? {};
    const requested = options?.responseMode ?? "summary";
    try {
      validatePrincipal(principal);
      if (!isPlainObject(args)) throw new InvalidArgumentError("invoke args must be a plain object.");
      if (!RESPONSE_MODES.has(requested))
        throw new InvalidArgumentError(`Unknown response mode ${pyStrRepr(String(requested))}.`);
      // Verification failures are neither traced nor counted (reference behaviour).
      this.tokenProvider.verify(token, {
        expectedPrincipalId: principal.principalId,
        expectedCapabilityId: typeof token?.capabilityId === "string" ? token.capabilityId : "",
      });
      capability = this.registry.get(token.capabilityId);
      plan = this.router.route(token.capabilityId, this.#drivers);
    } catch (err) {
      if (msg !== undefined) {
        msg.errorCode = errorCode(err);
        if (err instanceof ReasonedWeftError && err.reasonCode !== null) msg.reasonCode = err.reasonCode;
      }
      throw err;
    }
    if (msg !== undefined) {
      msg.safetyClass = capability.safetyClass;
      msg.sensitivity = capability.sensitivity;
    }
    if (options.dryRun === true) {
      const effective =
        requested === "raw" && !(principal.roles ?? []).includes("admin") ? "summary" : requested;
      if (msg !== undefined) {
        msg.decision = "allow";
        msg.reasonCode = AllowReason.TOKEN_VERIFIED;
        msg.responseMode = effective;
      }
      return {
        capabilityId: capability.capabilityId,
        principalId: principal.principalId,
        policyDecision: {
          allowed: true,
          reason: "Token verified; policy was evaluated at grant time.",
          constraints: token.constraints,
          reasonCode: AllowReason.TOKEN_VERIFIED,
        },
        driverId: plan.driverIds.find((id) => this.#drivers.has(id)) ?? "",
        responseMode: effective,
        dryRun: true,
      };
    }
    return this.#perform(token, principal, args, requested, capability, plan, msg);
  }

  async #perform(
    token: CapabilityToken,
    principal: Principal,
    args: Record<string, unknown>,
    requested: ResponseMode,
    capability: ResolvedCapability,
    plan: RoutePlan,
    msg: InvokeMessage | undefined,
  ): Promise<Frame> {
    const actionId = randomUUID();
    if (msg !== undefined) msg.actionId = actionId;
    let timeoutS: number | undefined;
    try {
      timeoutS = resolveInvokeTimeout(token.constraints);
    } catch (err) {
      if (msg !== undefined) msg.errorCode = errorCode(err);
      throw err;
    }
    const roles = principal.roles ?? [];
    const effective: ResponseMode = requested === "raw" && !roles.includes("admin") ? "summary" : requested;
    const downgraded = effective !== requested;
    const fields: InvokeTraceFields = {
      actionId,
      capabilityId: token.capabilityId,
      principalId: principal.principalId,
      tokenId: token.tokenId,
      args,
      responseMode: effective,
      driverId: "",
      sensitivity: capability.sensitivity,
    };
    const ctx: ExecutionContext = {
      capabilityId: token.capabilityId,
      principalId: principal.principalId,
      args,
      constraints: token.constraints,
      actionId,
    };
    let outcome: DriverOutcome | undefined;
    let frame: Frame;
    let handle: Handle | null = null;
    try {
      const runInContext = msg?.runInContext;
      outcome = await (runInContext === undefined
        ? this.#executeWithFallback(plan, ctx, timeoutS)
        : runInContext(() => this.#executeWithFallback(plan, ctx, timeoutS)));
      fields.driverId = outcome.driverId;
      if (outcome.result === undefined) {
        const last =
          outcome.lastError === undefined
            ? "No drivers available."
            : redactString(errorText(outcome.lastError)).value;
        throw new DriverError(
          `All drivers failed for capability ${quoted(token.capabilityId)}. Last error: ${last}`,
        );
      }
      if (effective !== "raw") {
        handle = this.handleStore.store(token.capabilityId, outcome.result.data, {
          principalId: principal.principalId,
          constraints: token.constraints,
        });
        this.#stats.onHandleStore();
      }
      frame = this.firewall.transform(outcome.result, {
        actionId,
        principalId: principal.principalId,
        principalRoles: roles,
        responseMode: effective,
        constraints: token.constraints,
        handle,
      });
    } catch (err) {
      const fellBack = outcome?.fellBack ?? false;
      this.traceStore.record(invokeFailureTrace(fields, errorText(err)));
      this.#stats.onInvocation({ failed: true, fallback: fellBack, redacted: false, downgraded });
      if (msg !== undefined) {
        msg.errorCode = errorCode(err);
        msg.responseMode = effective;
        if (fields.driverId !== "") msg.driverId = fields.driverId;
        msg.driversTried = outcome?.tried ?? [];
        msg.fallback = fellBack;
      }
      throw err;
    }
    fields.responseMode = frame.responseMode;
    this.traceStore.record(invokeSuccessTrace(fields, handle?.handleId ?? null, resultSummary(frame)));
    this.#stats.onInvocation({
      failed: false,
      fallback: outcome.fellBack,
      redacted: frame.warnings.length > 0,
      downgraded: frame.responseMode !== requested,
    });
    if (msg !== undefined) {
      msg.decision = "allow";
      msg.responseMode = frame.responseMode;
      msg.driverId = outcome.driverId;
      msg.driversTried = outcome.tried;
      msg.fallback = outcome.fellBack;
      if (handle !== null) msg.handleId = handle.handleId;
    }
    frame.isFinal = true;
    return frame;
  }

  async #executeWithFallback(
    plan: RoutePlan,
    ctx: ExecutionContext,
    timeoutS: number | undefined,
  ): Promise<DriverOutcome> {
    let lastError: unknown;
    let lastDriverId = "";
    let failures = 0;
    const tried: string[] = [];
    for (const driverId of plan.driverIds) {
      const driver = this.#drivers.get(driverId);
      if (driver === undefined) continue;
      lastDriverId = driverId;
      tried.push(driverId);
      try {
        const result = await (timeoutS === undefined
          ? driver.execute(ctx)
          : withDeadline(driver, ctx, timeoutS));
        return { result, driverId, lastError: undefined, fellBack: failures > 0, tried };
      } catch (err) {
        lastError = err;
        failures++;
      }
    }
    return { result: undefined, driverId: lastDriverId, lastError, fellBack: failures > 0, tried };
  }

  // ---------------------------------------------------------------- expand

  expand(handle: Handle, options: ExpandOptions = {}): Frame {
    if (!expandChannel.hasSubscribers) return this.#expand(handle, options, undefined);
    const msg: ExpandMessage = {
      kernelId: this.id,
      principalId: String(options.principal?.principalId ?? ""),
      handleId: String(handle?.handleId ?? ""),
      ...(typeof handle?.capabilityId === "string" && { capabilityId: handle.capabilityId }),
    };
    return traceSync(expandChannel, msg, this.#expand, this, handle, options, msg);
  }

  #expand(handle: Handle, options: ExpandOptions, msg: ExpandMessage | undefined): Frame {
    try {
      if (typeof handle !== "object" || handle === null || typeof handle.handleId !== "string")
        throw new InvalidArgumentError("expand needs a Handle from a previous invoke.");
      const principalId = options.principal?.principalId ?? "";
      const query = options.query ?? {};
      const actionId = randomUUID();
      const frame = this.handleStore.expand(handle, query, {
        actionId,
        principalId,
        maxDepth: this.firewall.budgets.maxDepth,
      });
      const queryArgs = Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined));
      this.traceStore.record(
        expandTrace(actionId, frame.capabilityId, principalId, handle.handleId, queryArgs, frame),
      );
      this.#stats.onExpansion();
      if (msg !== undefined) {
        msg.actionId = actionId;
        msg.capabilityId = frame.capabilityId;
        msg.rowCount = frame.tablePreview.length;
      }
      return frame;
    } catch (err) {
      if (msg !== undefined) {
        msg.errorCode = errorCode(err);
        if (err instanceof ReasonedWeftError && err.reasonCode !== null) msg.reasonCode = err.reasonCode;
      }
      throw err;
    }
  }

  // ---------------------------------------------------------------- revocation

  /** Revokes one token (idempotent). */
  revokeToken(tokenId: string): void {
    if (typeof tokenId !== "string" || tokenId === "")
      throw new InvalidArgumentError("revokeToken needs a token id.");
    if (!revokeChannel.hasSubscribers) {
      this.tokenProvider.revoke(tokenId);
      return;
    }
    const msg: RevokeMessage = { kernelId: this.id, tokenId };
    traceSync(revokeChannel, msg, () => {
      const before = this.tokenProvider.revocationStore.isRevoked(tokenId);
      this.tokenProvider.revoke(tokenId);
      msg.revokedCount = before ? 0 : 1;
    });
  }

  /** Revokes every tracked token of a principal; returns how many were newly revoked. */
  revokePrincipal(principalId: string): number {
    if (typeof principalId !== "string" || principalId === "")
      throw new InvalidArgumentError("revokePrincipal needs a principal id.");
    if (!revokeChannel.hasSubscribers) return this.tokenProvider.revokeAll(principalId);
    const msg: RevokeMessage = { kernelId: this.id, principalId };
    return traceSync(revokeChannel, msg, () => {
      const n = this.tokenProvider.revokeAll(principalId);
      msg.revokedCount = n;
      return n;
    });
  }

  /** Drops revocation state of expired tokens (never un-revokes a live one). */
  sweepRevocations(now?: Date): number {
    return this.tokenProvider.sweepRevocations(now);
  }

  // ---------------------------------------------------------------- traces and stats

  explain(actionId: string): ActionTrace {
    const t = this.traceStore.get(actionId);
    if (t === undefined)
      throw new TraceNotFoundError(`No action trace found for action_id=${quoted(actionId)}.`);
    return t;
  }

  listTraces(): ActionTrace[] {
    return this.traceStore.listAll();
  }

  queryTraces(query: TraceQuery): ActionTrace[] {
    return this.traceStore.query(query);
  }

  get stats(): StatsSnapshot {
    return this.#stats.snapshot();
  }

  resetStats(): void {
    this.#stats.reset();
  }

  gauges(): KernelGauges {
    const store = this.traceStore;
    return {
      traceStoreSize: typeof store.size === "function" ? store.size() : store.listAll().length,
      liveHandles: this.handleStore.size(),
      trackedRevocations: this.tokenProvider.revocationStore.size(),
    };
  }
}

function validatePrincipal(p: Principal): asserts p is Principal {
  if (typeof p !== "object" || p === null || typeof p.principalId !== "string" || p.principalId === "")
    throw new InvalidArgumentError("A principal with a non-empty principalId is required.");
}

function validateRequest(r: CapabilityRequest): void {
  if (typeof r !== "object" || r === null || typeof r.capabilityId !== "string")
    throw new InvalidArgumentError("A CapabilityRequest with a capabilityId is required.");
}

function resolveInvokeTimeout(constraints: Record<string, unknown>): number | undefined {
  const raw = constraints[INVOKE_TIMEOUT_CONSTRAINT];
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== "number" || !(raw > 0) || !Number.isFinite(raw))
    throw new DriverError(
      `Invalid '${INVOKE_TIMEOUT_CONSTRAINT}' constraint: ${String(raw)} (must be a positive number of seconds).`,
    );
  return raw;
}

async function withDeadline(driver: Driver, ctx: ExecutionContext, timeoutS: number): Promise<RawResult> {
  const ac = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      ac.abort();
      reject(
        new DriverError(
          `Driver ${quoted(driver.driverId)} timed out after ${pyFloatRepr(timeoutS)}s for capability ${quoted(ctx.capabilityId)}.`,
        ),
      );
    }, timeoutS * 1000);
  });
  try {
    return await Promise.race([driver.execute({ ...ctx, signal: ac.signal }), deadline]);
  } finally {
    clearTimeout(timer);
  }
}
