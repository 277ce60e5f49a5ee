// The Kernel mediates every capability call: grant (policy → signed token), invoke (verify →
// route, then the pipeline in invoke.ts: drivers with fallback → handle → firewall → trace),
// expand (handle caps → trace) and revocation. Each operation is published on a TracingChannel when, and only when, someone
// subscribes; without subscribers the hot path does no channel work at all.

import { randomUUID } from "node:crypto";
import { JsonValueError, repr } from "@weft/wire";
import { type AgentContext, checkField, currentAgent, validateAgentContext } from "./agent-context.js";
import { argsDigester, errorCode, noteFailure } from "./channel-notes.js";
import {
  type AgentFields,
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
import { getDefaultTraceStore } from "./default-trace-store.js";
import type { Driver } from "./drivers/driver.js";
import { InvalidArgumentError, PolicyDeniedError, TraceNotFoundError, WeftError } from "./errors.js";
import { Firewall } from "./firewall/firewall.js";
import { type KernelGuard, runGrantGuards, runInvokeGuards } from "./guards.js";
import { type ExpandQuery, HandleStore } from "./handles.js";
import { dryRunResult, type InvokeDeps, type PreparedInvoke, perform } from "./invoke.js";
import { registerLiveKernel } from "./live-kernels.js";
import type {
  CapabilityGrant,
  CapabilityRequest,
  CapabilityToken,
  DenialExplanation,
  DryRunResult,
  Frame,
  Handle,
  Principal,
  ResolvedCapability,
} from "./models.js";
import { DefaultPolicyEngine, type PolicyEngine } from "./policy.js";
import type { CapabilityRegistry } from "./registry.js";
import { type Router, StaticRouter } from "./router.js";
import { KernelStats, type StatsSnapshot } from "./stats.js";
import { HmacTokenProvider, type TokenProvider } from "./token.js";
import type { ActionTrace, ResponseMode, RevocationStore, TraceQuery, TraceStore } from "./trace.js";
import { denyTrace, expandTrace, withExtensions } from "./trace-record.js";
import { InMemoryTraceStore } from "./trace-store.js";
import { tracePromise, traceSync } from "./tracing.js";
import { validateInvokeInput, validatePrincipal, validateRequest } from "./validation.js";

export const DEFAULT_KERNEL_ID = "weft-kernel";

export interface KernelOptions {
  registry: CapabilityRegistry;
  /** Carried on every channel message (and so on spans/metrics). Default "weft-kernel". */
  kernelId?: string;
  /** Where ActionTraces go. Default: the store set by `setDefaultTraceStore()`, else a private in-memory one. */
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
  /**
   * The agent this kernel acts for when no `withAgent` context is active (a kernel per agent).
   * Recorded in every action record and published on every grant/invoke/expand message.
   */
  agent?: AgentContext;
  /** Guards checked after the policy at grant and before drivers at invoke (see `addGuard`). */
  guards?: readonly KernelGuard[];
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
  /**
   * The id the model issued for this tool call (`call_…`), recorded in the action record
   * (`tool_call_id`) and on the span (`gen_ai.tool.call.id`): the join key between the LLM's
   * tool-call part and this invocation. At most 256 characters, no control characters.
   */
  toolCallId?: string;
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
  readonly #guards: KernelGuard[] = [];
  readonly #stats = new KernelStats();
  readonly #deps: InvokeDeps;
  readonly #decisions: DecisionCapture | undefined;
  readonly #agent: AgentContext | undefined;

  constructor(options: KernelOptions) {
    if (options?.registry === undefined) throw new InvalidArgumentError("Kernel needs a registry.");
    this.registry = options.registry;
    this.id = options.kernelId ?? DEFAULT_KERNEL_ID;
    this.traceStore = options.traceStore ?? getDefaultTraceStore() ?? new InMemoryTraceStore();
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
    this.#agent =
      options.agent === undefined ? undefined : validateAgentContext(options.agent, "Kernel option agent");
    this.#deps = {
      drivers: this.#drivers,
      traceStore: this.traceStore,
      handleStore: this.handleStore,
      firewall: this.firewall,
      stats: this.#stats,
    };
    this.#decisions =
      options.decisions === undefined ? undefined : new DecisionCapture(options.decisions, this.id);
    for (const guard of options.guards ?? []) this.addGuard(guard);
    registerLiveKernel(this);
  }

  /**
   * Adds a guard: after the policy allows a grant it may deny (with a reason code) or add signed
   * constraints; after a token verifies it may deny the invoke before any driver runs. Denials are
   * recorded and counted exactly like the policy's.
   */
  addGuard(guard: KernelGuard): void {
    if (typeof guard?.guardId !== "string" || guard.guardId === "")
      throw new InvalidArgumentError("A guard needs a non-empty guardId.");
    if (this.#guards.some((g) => g.guardId === guard.guardId))
      throw new InvalidArgumentError(`A guard ${repr.quoted(guard.guardId)} is already added.`);
    this.#guards.push(guard);
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

  /** The acting agent: the innermost `withAgent` context, else the Kernel option `agent`. */
  #actingAgent(): AgentContext | undefined {
    return currentAgent() ?? this.#agent;
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
    noteAgent(msg, this.#actingAgent());
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
      try {
        const justification = options.justification ?? "";
        // With capture on, the policy's own decision (before any guard) is what gets recorded.
        decision = this.#decisions
          ? this.#decisions.evaluate(this.policy, { request, capability, principal, justification })
          : this.policy.evaluate(request, capability, principal, { justification });
        if (!decision.allowed) throw new PolicyDeniedError(decision.reason, decision.reasonCode);
        if (this.#guards.length > 0)
          decision = runGrantGuards(this.#guards, capability.capabilityId, principal, decision);
      } catch (err) {
        if (err instanceof PolicyDeniedError) this.#onGrantDenied(request, principal, err, msg);
        throw err;
      }
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
        msg.actionId = auditId;
      }
      return { request, principal, decision, token, auditId };
    } catch (err) {
      noteFailure(msg, err);
      throw err;
    }
  }

  #onGrantDenied(
    request: CapabilityRequest,
    principal: Principal,
    err: PolicyDeniedError,
    msg: GrantMessage | undefined,
  ) {
    this.#recordDenial(
      denyTrace(randomUUID(), request.capabilityId, principal.principalId, err.reasonCode, err.message),
      err,
      msg,
      undefined,
      this.#actingAgent(),
    );
  }

  /** An invoke a guard denied: recorded (with the token id) and counted like a grant denial. */
  #onInvokeDenied(prepared: PreparedInvoke, err: PolicyDeniedError, msg: InvokeMessage | undefined) {
    const { token, principal } = prepared;
    this.#recordDenial(
      {
        ...denyTrace(randomUUID(), token.capabilityId, principal.principalId, err.reasonCode, err.message),
        tokenId: token.tokenId,
      },
      err,
      msg,
      prepared.toolCallId,
      prepared.agent,
    );
  }

  /** One denial, wherever it was decided: counted, recorded (best effort), noted on the message. */
  #recordDenial(
    trace: ActionTrace,
    err: PolicyDeniedError,
    msg: GrantMessage | InvokeMessage | undefined,
    toolCallId: Parameters<typeof withExtensions>[1],
    agent: Parameters<typeof withExtensions>[2],
  ) {
    this.#stats.onDenial(err.reasonCode);
    try {
      this.traceStore.record(withExtensions(trace, toolCallId, agent));
    } catch (storeErr) {
      // Best effort, as in the reference: a failing store must not turn a denial into another error.
      process.emitWarning(`Deny trace could not be recorded (${errorCode(storeErr)}).`, {
        code: "WEFT_DENY_TRACE_FAILED",
      });
    }
    if (msg !== undefined) {
      msg.decision = "deny";
      if (err.reasonCode !== null) msg.reasonCode = err.reasonCode;
      msg.actionId = trace.actionId;
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
    // The tool's registry facts are known even when the token is then refused, and a span or
    // duration of a refused call still says what kind of tool it was.
    const capabilityId = String(token?.capabilityId ?? "");
    const cap = this.registry.has(capabilityId) ? this.registry.get(capabilityId) : undefined;
    const msg: InvokeMessage = {
      kernelId: this.id,
      principalId: String(options?.principal?.principalId ?? ""),
      capabilityId,
      tokenId: String(token?.tokenId ?? ""),
      requestedResponseMode: String(options?.responseMode ?? "summary"),
      dryRun: options?.dryRun === true,
      digestArgs: argsDigester(options?.args),
      toolCallId: undefined,
      toolType: cap?.toolType,
      toolDescription: cap === undefined || cap.description === "" ? undefined : cap.description,
      agentName: undefined,
      agentId: undefined,
      conversationId: undefined,
      driverAttributes: undefined,
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
    let prepared: PreparedInvoke;
    const principal = options?.principal;
    const args = options?.args ?? {};
    const requested = options?.responseMode ?? "summary";
    const agent = this.#actingAgent();
    noteAgent(msg, agent);
    let toolCallId: string | undefined;
    try {
      validateInvokeInput(principal, args, requested);
      if (options.toolCallId !== undefined) {
        toolCallId = checkField(options.toolCallId, "invoke option toolCallId");
        // On the message before the token check: a refused call's span still joins the model's call.
        if (msg !== undefined) msg.toolCallId = toolCallId;
      }
      // Verification failures are neither traced nor counted (reference behaviour).
      this.tokenProvider.verify(token, {
        expectedPrincipalId: principal.principalId,
        expectedCapabilityId: typeof token?.capabilityId === "string" ? token.capabilityId : "",
      });
      const capability = this.registry.get(token.capabilityId);
      const plan = this.router.route(token.capabilityId, this.#drivers);
      prepared = { token, principal, args, requested, capability, plan, toolCallId, agent };
    } catch (err) {
      // Args with no canonical JSON form have no digest either: drop the lazy digester.
      if (msg !== undefined && (err instanceof JsonValueError || err instanceof InvalidArgumentError))
        msg.digestArgs = undefined;
      noteFailure(msg, err);
      throw err;
    }
    if (msg !== undefined) {
      msg.safetyClass = prepared.capability.safetyClass;
      msg.sensitivity = prepared.capability.sensitivity;
    }
    if (this.#guards.length > 0) {
      try {
        runInvokeGuards(this.#guards, token, principal);
      } catch (err) {
        if (err instanceof PolicyDeniedError) this.#onInvokeDenied(prepared, err, msg);
        noteFailure(msg, err);
        throw err;
      }
    }
    if (options.dryRun === true) return dryRunResult(this.#deps, prepared, msg);
    return perform(this.#deps, prepared, msg);
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
    noteAgent(msg, this.#actingAgent());
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
        withExtensions(
          expandTrace(actionId, frame.capabilityId, principalId, handle.handleId, queryArgs, frame),
          undefined,
          this.#actingAgent(),
        ),
      );
      this.#stats.onExpansion();
      if (msg !== undefined) {
        msg.actionId = actionId;
        msg.capabilityId = frame.capabilityId;
        msg.rowCount = frame.tablePreview.length;
      }
      return frame;
    } catch (err) {
      noteFailure(msg, err);
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
    const msg: RevokeMessage = { kernelId: this.id, tokenId, actionId: randomUUID() };
    noteAgent(msg, this.#actingAgent());
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
    const msg: RevokeMessage = { kernelId: this.id, principalId, actionId: randomUUID() };
    noteAgent(msg, this.#actingAgent());
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
      throw new TraceNotFoundError(`No action trace found for action_id=${repr.quoted(actionId)}.`);
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

/** Publishes the acting agent's known fields on a channel message. */
function noteAgent(msg: AgentFields | undefined, agent: AgentContext | undefined): void {
  if (msg === undefined || agent === undefined) return;
  if (agent.name !== undefined) msg.agentName = agent.name;
  if (agent.id !== undefined) msg.agentId = agent.id;
  if (agent.conversationId !== undefined) msg.conversationId = agent.conversationId;
}
