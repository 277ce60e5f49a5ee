// The invoke pipeline after verification and routing: run the routed drivers with fallback and
// the token's deadline, store a handle, pass the result through the firewall, record the trace,
// count it, and note the outcome on the channel message.

import { randomUUID } from "node:crypto";
import type { AgentContext } from "./agent-context.js";
import { annotator, errorText, noteFailure, noteOutcome } from "./channel-notes.js";
import type { InvokeMessage } from "./channels.js";
import type { Driver, ExecutionContext } from "./drivers/driver.js";
import { DriverError } from "./errors.js";
import type { Firewall } from "./firewall/firewall.js";
import { redactString } from "./firewall/redact.js";
import type { HandleStore } from "./handles.js";
import type {
  CapabilityToken,
  DryRunResult,
  Frame,
  Handle,
  Principal,
  RawResult,
  ResolvedCapability,
  RoutePlan,
} from "./models.js";
import { pyFloatRepr, quoted } from "./pyjson.js";
import { AllowReason } from "./reasons.js";
import type { KernelStats } from "./stats.js";
import type { ResponseMode, TraceStore } from "./trace.js";
import {
  type InvokeTraceFields,
  invokeFailureTrace,
  invokeSuccessTrace,
  resultSummary,
} from "./trace-record.js";
import { effectiveResponseMode, resolveInvokeTimeout } from "./validation.js";

/** The kernel parts an invocation uses. */
export interface InvokeDeps {
  readonly drivers: ReadonlyMap<string, Driver>;
  readonly traceStore: TraceStore;
  readonly handleStore: HandleStore;
  readonly firewall: Firewall;
  readonly stats: KernelStats;
}

/** A verified, routed invocation, ready to run. */
export interface PreparedInvoke {
  token: CapabilityToken;
  principal: Principal;
  args: Record<string, unknown>;
  requested: ResponseMode;
  capability: ResolvedCapability;
  plan: RoutePlan;
  toolCallId: string | undefined;
  agent: AgentContext | undefined;
}

interface DriverOutcome {
  result: RawResult | undefined;
  driverId: string;
  lastError: unknown;
  fellBack: boolean;
  tried: string[];
}

/** The dry-run answer: what an invoke would do, without running a driver. */
export function dryRunResult(
  deps: InvokeDeps,
  p: PreparedInvoke,
  msg: InvokeMessage | undefined,
): DryRunResult {
  const effective = effectiveResponseMode(p.requested, p.principal);
  if (msg !== undefined) {
    msg.decision = "allow";
    msg.reasonCode = AllowReason.TOKEN_VERIFIED;
    msg.responseMode = effective;
  }
  return {
    capabilityId: p.capability.capabilityId,
    principalId: p.principal.principalId,
    policyDecision: {
      allowed: true,
      reason: "Token verified; policy was evaluated at grant time.",
      constraints: p.token.constraints,
      reasonCode: AllowReason.TOKEN_VERIFIED,
    },
    driverId: p.plan.driverIds.find((id) => deps.drivers.has(id)) ?? "",
    responseMode: effective,
    dryRun: true,
  };
}

/** Runs a prepared invocation to its final frame; every outcome is traced and counted. */
export async function perform(
  deps: InvokeDeps,
  p: PreparedInvoke,
  msg: InvokeMessage | undefined,
): Promise<Frame> {
  const { token, principal, args, requested } = p;
  const actionId = randomUUID();
  if (msg !== undefined) msg.actionId = actionId;
  let timeoutS: number | undefined;
  try {
    timeoutS = resolveInvokeTimeout(token.constraints);
  } catch (err) {
    noteFailure(msg, err);
    throw err;
  }
  const roles = principal.roles ?? [];
  const effective = effectiveResponseMode(requested, principal);
  const downgraded = effective !== requested;
  const fields: InvokeTraceFields = {
    actionId,
    capabilityId: token.capabilityId,
    principalId: principal.principalId,
    tokenId: token.tokenId,
    args,
    responseMode: effective,
    driverId: "",
    sensitivity: p.capability.sensitivity,
    toolCallId: p.toolCallId,
    agent: p.agent,
  };
  const ctx: ExecutionContext = {
    capabilityId: token.capabilityId,
    principalId: principal.principalId,
    args,
    constraints: token.constraints,
    actionId,
    ...(timeoutS !== undefined && { timeoutMs: timeoutS * 1000 }),
    ...(msg !== undefined && { annotate: annotator(msg) }),
  };
  let outcome: DriverOutcome | undefined;
  let frame: Frame;
  let handle: Handle | null = null;
  try {
    const runInContext = msg?.runInContext;
    outcome = await (runInContext === undefined
      ? executeWithFallback(deps.drivers, p.plan, ctx, timeoutS)
      : runInContext(() => executeWithFallback(deps.drivers, p.plan, ctx, timeoutS)));
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
      handle = deps.handleStore.store(token.capabilityId, outcome.result.data, {
        principalId: principal.principalId,
        constraints: token.constraints,
      });
      deps.stats.onHandleStore();
    }
    frame = deps.firewall.transform(outcome.result, {
      actionId,
      principalId: principal.principalId,
      principalRoles: roles,
      responseMode: effective,
      constraints: token.constraints,
      handle,
    });
  } catch (err) {
    const fellBack = outcome?.fellBack ?? false;
    deps.traceStore.record(invokeFailureTrace(fields, errorText(err)));
    deps.stats.onInvocation({ failed: true, fallback: fellBack, redacted: false, downgraded });
    noteFailure(msg, err);
    noteOutcome(msg, effective, outcome);
    throw err;
  }
  fields.responseMode = frame.responseMode;
  deps.traceStore.record(invokeSuccessTrace(fields, handle?.handleId ?? null, resultSummary(frame)));
  deps.stats.onInvocation({
    failed: false,
    fallback: outcome.fellBack,
    redacted: frame.warnings.length > 0,
    downgraded: frame.responseMode !== requested,
  });
  if (msg !== undefined) {
    msg.decision = "allow";
    noteOutcome(msg, frame.responseMode, outcome);
    if (handle !== null) msg.handleId = handle.handleId;
  }
  frame.isFinal = true;
  return frame;
}

/** Tries the plan's registered drivers in order until one answers. */
async function executeWithFallback(
  drivers: ReadonlyMap<string, Driver>,
  plan: RoutePlan,
  ctx: ExecutionContext,
  timeoutS: number | undefined,
): Promise<DriverOutcome> {
  let lastError: unknown;
  let lastDriverId = "";
  let failures = 0;
  const tried: string[] = [];
  for (const driverId of plan.driverIds) {
    const driver = drivers.get(driverId);
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
