import { AsyncLocalStorage } from "node:async_hooks";
import { createHmac } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import {
  canonicalJson,
  type ExpandMessage,
  expandChannel,
  FunctionDriver,
  type GrantMessage,
  grantChannel,
  type InvokeMessage,
  invokeChannel,
  type RevokeMessage,
  revokeChannel,
  StaticRouter,
} from "../src/index.js";
import { makeKernel, reader, SECRET } from "./helpers.js";

type Ev<M> = { event: string; msg: M };
type AnyChannel = typeof grantChannel | typeof invokeChannel | typeof expandChannel | typeof revokeChannel;
const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function record<M extends object>(channel: AnyChannel, onStart?: (m: M) => void): Array<Ev<M>> {
  const events: Array<Ev<M>> = [];
  const snap = (event: string) => (m: unknown) => events.push({ event, msg: { ...(m as M) } });
  const handlers = {
    start: (m: unknown) => {
      onStart?.(m as M);
      snap("start")(m);
    },
    end: snap("end"),
    asyncStart: snap("asyncStart"),
    asyncEnd: snap("asyncEnd"),
    error: snap("error"),
  };
  (channel as typeof grantChannel).subscribe(handlers as never);
  cleanups.push(() => (channel as typeof grantChannel).unsubscribe(handlers as never));
  return events;
}

describe("kernel TracingChannels", () => {
  it("grant: allow carries ids, classification, decision and token id (never the signature or result)", () => {
    const events = record<GrantMessage>(grantChannel);
    const { kernel } = makeKernel({ kernelId: "k-1" });
    const g = kernel.grantCapability({ capabilityId: "crm.read_pii", goal: "g" }, reader);
    expect(events.map((e) => e.event)).toEqual(["start", "end"]);
    expect(events[0]?.msg).toEqual({
      kernelId: "k-1",
      principalId: "agent-r",
      capabilityId: "crm.read_pii",
      safetyClass: "READ",
      sensitivity: "PII",
    });
    expect(events[1]?.msg).toEqual({
      kernelId: "k-1",
      principalId: "agent-r",
      capabilityId: "crm.read_pii",
      safetyClass: "READ",
      sensitivity: "PII",
      decision: "allow",
      reasonCode: "default_policy_allow",
      tokenId: g.token.tokenId,
      expiresAt: g.token.expiresAt,
      // Allowed grants write no record; the span still carries the grant's audit id.
      actionId: g.auditId,
    });
  });

  it("grant: deny carries the reason code, error code and the deny trace's action id", () => {
    const events = record<GrantMessage>(grantChannel);
    const { kernel } = makeKernel();
    expect(() => kernel.grantCapability({ capabilityId: "crm.delete", goal: "g" }, reader)).toThrow();
    expect(events.map((e) => e.event)).toEqual(["start", "error", "end"]);
    const end = events[2]?.msg as GrantMessage & { error?: unknown };
    expect(end).toMatchObject({
      decision: "deny",
      reasonCode: "missing_role",
      errorCode: "POLICY_DENIED",
      safetyClass: "DESTRUCTIVE",
    });
    expect(kernel.explain(end.actionId ?? "").eventType).toBe("deny");
    expect(end.tokenId).toBeUndefined();
  });

  it("invoke: success payload, runInContext honoured around the driver, keyed args digest", async () => {
    const als = new AsyncLocalStorage<string>();
    let seenInDriver: string | undefined;
    const events = record<InvokeMessage>(invokeChannel, (m) => {
      m.runInContext = (fn) => als.run("span-ctx", fn);
    });
    const t = makeKernel({ router: new StaticRouter({ "crm.list": ["down", "memory"] }) });
    t.kernel.registerDriver(
      new FunctionDriver("down", { "crm.list": () => Promise.reject(new Error("nope")) }),
    );
    t.kernel.registerDriver(
      new FunctionDriver("memory", {
        "crm.list": () => {
          seenInDriver = als.getStore();
          return [{ id: 1 }];
        },
      }),
    );
    const g = t.kernel.grantCapability({ capabilityId: "crm.list", goal: "g" }, reader);
    const args = { region: "eu", n: 2 };
    const frame = await t.kernel.invoke(g.token, { principal: reader, args, responseMode: "table" });
    expect(seenInDriver).toBe("span-ctx");
    expect(events.map((e) => e.event)).toEqual(["start", "end", "asyncStart", "asyncEnd"]);
    const { digestArgs, runInContext, ...done } = (events[3]?.msg ?? {}) as InvokeMessage;
    expect(done).toEqual({
      kernelId: "weft-kernel",
      principalId: "agent-r",
      capabilityId: "crm.list",
      tokenId: g.token.tokenId,
      requestedResponseMode: "table",
      dryRun: false,
      actionId: frame.actionId,
      safetyClass: "READ",
      sensitivity: "NONE",
      toolType: "function",
      toolDescription: "List all customers",
      decision: "allow",
      responseMode: "table",
      driverId: "memory",
      driversTried: ["down", "memory"],
      fallback: true,
      handleId: frame.handle?.handleId,
    });
    expect(typeof runInContext).toBe("function");
    const expected = createHmac("sha256", "k").update('{"n":2,"region":"eu"}').digest("hex");
    expect(digestArgs?.("k")).toBe(expected);
    expect(canonicalJson(args)).toBe('{"n":2,"region":"eu"}');
  });

  it("invoke: driver failure and token failure carry error codes", async () => {
    const events = record<InvokeMessage>(invokeChannel);
    const t = makeKernel({ router: new StaticRouter({ noop: ["bad"] }) });
    t.kernel.registerDriver(
      new FunctionDriver("bad", {
        noop: () => {
          throw new Error("x");
        },
      }),
    );
    const g = t.kernel.grantCapability({ capabilityId: "noop", goal: "g" }, reader);
    await expect(t.kernel.invoke(g.token, { principal: reader })).rejects.toThrow();
    expect(events.map((e) => e.event)).toEqual(["start", "end", "error", "asyncStart", "asyncEnd"]);
    // fallback = "some driver failed" (the reference counts failed_attempts > 0 as a fallback activation).
    expect(events[4]?.msg).toMatchObject({
      errorCode: "DRIVER_ERROR",
      driverId: "bad",
      driversTried: ["bad"],
      fallback: true,
    });
    expect(events[4]?.msg.actionId).toBe(t.kernel.listTraces().at(-1)?.actionId);
    events.length = 0;
    await expect(t.kernel.invoke({ ...g.token, principalId: "x" }, { principal: reader })).rejects.toThrow();
    expect(events.at(-1)?.msg).toMatchObject({ errorCode: "TOKEN_INVALID" });
    expect(events.at(-1)?.msg.actionId).toBeUndefined();
  });

  it("invoke: dry run verifies without executing", async () => {
    const events = record<InvokeMessage>(invokeChannel);
    const { kernel } = makeKernel();
    const g = kernel.grantCapability({ capabilityId: "crm.list", goal: "g" }, reader);
    const dry = await kernel.invoke(g.token, { principal: reader, dryRun: true, responseMode: "raw" });
    expect(dry).toMatchObject({ dryRun: true, driverId: "memory", responseMode: "summary" });
    expect(events.at(-1)?.msg).toMatchObject({
      dryRun: true,
      reasonCode: "token_verified",
      decision: "allow",
    });
    expect(kernel.listTraces()).toHaveLength(0);
    expect(kernel.stats.invocations).toBe(0);
  });

  it("expand and revoke payloads", async () => {
    const ex = record<ExpandMessage>(expandChannel);
    const rv = record<RevokeMessage>(revokeChannel);
    const { kernel } = makeKernel({ kernelId: "k-2" });
    const g = kernel.grantCapability(
      { capabilityId: "crm.list", goal: "g", constraints: { max_rows: 3 } },
      reader,
    );
    const f = await kernel.invoke(g.token, { principal: reader });
    const page = kernel.expand(f.handle!, { query: { limit: 2 }, principal: reader });
    expect(ex.at(-1)?.msg).toEqual({
      kernelId: "k-2",
      principalId: "agent-r",
      handleId: f.handle?.handleId,
      capabilityId: "crm.list",
      actionId: page.actionId,
      rowCount: 2,
    });
    expect(() => kernel.expand(f.handle!, { query: { limit: 9 }, principal: reader })).toThrow();
    expect(ex.at(-1)?.msg).toMatchObject({
      errorCode: "HANDLE_CONSTRAINT_VIOLATION",
      reasonCode: "handle_constraint_violation",
    });
    kernel.revokeToken(g.token.tokenId);
    kernel.revokeToken(g.token.tokenId);
    expect(rv.filter((e) => e.event === "end").map((e) => e.msg)).toEqual([
      { kernelId: "k-2", tokenId: g.token.tokenId, revokedCount: 1, actionId: expect.any(String) },
      { kernelId: "k-2", tokenId: g.token.tokenId, revokedCount: 0, actionId: expect.any(String) },
    ]);
    kernel.grantCapability({ capabilityId: "noop", goal: "g" }, reader);
    expect(kernel.revokePrincipal("agent-r")).toBe(1);
    expect(rv.at(-1)?.msg).toEqual({
      kernelId: "k-2",
      principalId: "agent-r",
      revokedCount: 1,
      actionId: expect.any(String),
    });
  });

  it("publishes nothing and computes no digest without subscribers", async () => {
    expect(invokeChannel.hasSubscribers).toBe(false);
    const { kernel } = makeKernel();
    const g = kernel.grantCapability({ capabilityId: "noop", goal: "g" }, reader);
    // An arg that cannot be serialized would throw if the kernel computed a digest eagerly.
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await expect(kernel.invoke(g.token, { principal: reader, args: { cyclic } })).resolves.toMatchObject({
      isFinal: true,
    });
    expect(SECRET).toBeTruthy();
  });
});
