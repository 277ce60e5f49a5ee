import { describe, expect, it } from "vitest";
import {
  CapabilityAlreadyRegisteredError,
  CapabilityNotFoundError,
  CapabilityRegistry,
  FunctionDriver,
  InMemoryTraceStore,
  InvalidArgumentError,
  Kernel,
  liveKernels,
  StaticRouter,
  TraceNotFoundError,
  WeftError,
} from "../src/index.js";
import { admin, JUSTIFICATION, makeKernel, makeRegistry, reader, writer } from "./helpers.js";

describe("CapabilityRegistry", () => {
  it("registers, rejects duplicates, looks up and lists", () => {
    const r = makeRegistry();
    expect(() =>
      r.register({ capabilityId: "noop", name: "x", description: "y", safetyClass: "READ" }),
    ).toThrow(CapabilityAlreadyRegisteredError);
    expect(() => r.get("missing")).toThrow(CapabilityNotFoundError);
    expect(r.get("crm.list")).toMatchObject({
      sensitivity: "NONE",
      allowedFields: [],
      tags: ["crm", "customers"],
    });
    expect(r.list().map((c) => c.capabilityId)).toContain("vault.read");
    expect(() =>
      r.register({ capabilityId: "bad", name: "x", description: "y", safetyClass: "SOMETIMES" as "READ" }),
    ).toThrow(InvalidArgumentError);
  });

  it("searches by goal, best match first", () => {
    const r = makeRegistry();
    expect(r.search("list the customers")[0]?.capabilityId).toBe("crm.list");
    expect(r.search("recall memories")[0]?.capabilityId).toBe("memory.read");
    expect(r.search("the a of")).toEqual([]);
    expect(r.search("customer", 2)).toHaveLength(2);
  });
});

describe("KernelStats", () => {
  it("counts grants, denials by reason, invocations and their flags; snapshot is frozen; reset zeroes", async () => {
    const { kernel } = makeKernel({
      router: new StaticRouter({ noop: ["bad"], "crm.list": ["bad", "memory"] }),
    });
    kernel.registerDriver(
      new FunctionDriver("bad", {
        noop: () => {
          throw new Error("x");
        },
        "crm.list": () => {
          throw new Error("y");
        },
      }),
    );
    const g = kernel.grantCapability({ capabilityId: "crm.list", goal: "g" }, reader);
    const gn = kernel.grantCapability({ capabilityId: "noop", goal: "g" }, reader);
    for (const c of ["crm.delete", "crm.update"])
      expect(() => kernel.grantCapability({ capabilityId: c, goal: "g" }, reader)).toThrow();
    expect(() =>
      kernel.grantCapability({ capabilityId: "crm.update", goal: "g" }, writer, { justification: "short" }),
    ).toThrow();
    const f = await kernel.invoke(g.token, { principal: reader, responseMode: "raw" }); // fallback + downgrade + redaction (emails)
    await kernel.invoke(gn.token, { principal: reader }).catch(() => undefined);
    kernel.expand(f.handle!, { query: {}, principal: reader });
    const s = kernel.stats;
    expect(s).toEqual({
      grants: 2,
      denials: 3,
      invocations: 2,
      invocationFailures: 1,
      fallbackActivations: 2,
      redactionEvents: 1,
      budgetDowngrades: 1,
      handleStores: 1,
      expansions: 1,
      denialsByReason: { missing_role: 2, insufficient_justification: 1 },
    });
    expect(Object.isFrozen(s)).toBe(true);
    expect(Object.isFrozen(s.denialsByReason)).toBe(true);
    kernel.resetStats();
    expect(kernel.stats).toMatchObject({ grants: 0, denials: 0, invocations: 0, denialsByReason: {} });
    expect(s.grants).toBe(2); // an old snapshot does not change
  });
});

describe("Kernel", () => {
  it("writes a trace for every executed invoke with the reference fields", async () => {
    const { kernel } = makeKernel();
    const g = kernel.grantCapability(
      { capabilityId: "memory.write", goal: "remember" },
      { principalId: "m", roles: ["writer", "memory_writer"] },
      {
        justification: JUSTIFICATION,
      },
    );
    const f = await kernel.invoke(g.token, {
      principal: { principalId: "m", roles: ["writer", "memory_writer"] },
      args: { key: "k", Content: "the user's diary", note: "n" },
    });
    expect(kernel.explain(f.actionId)).toMatchObject({
      eventType: "invoke",
      tokenId: g.token.tokenId,
      principalId: "m",
      driverId: "memory",
      sensitivity: "MEMORY",
      handleId: f.handle?.handleId,
      error: null,
      reasonCode: null,
      args: { key: "k", Content: "[REDACTED]", note: "n" },
    });
    expect(kernel.explain(f.actionId).invokedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00$/);
    expect(() => kernel.explain("nope")).toThrow(TraceNotFoundError);
  });

  it("lists live kernels and reports gauges and its id", async () => {
    const k = new Kernel({
      registry: new CapabilityRegistry(),
      kernelId: "gauge-k",
      secret: "s",
      traceStore: new InMemoryTraceStore({ maxEntries: 2 }),
    });
    expect(liveKernels()).toContain(k);
    expect(k.id).toBe("gauge-k");
    expect(k.gauges()).toEqual({ traceStoreSize: 0, liveHandles: 0, trackedRevocations: 0 });
    const { kernel } = makeKernel();
    const g = kernel.grantCapability({ capabilityId: "crm.list", goal: "g" }, admin);
    await kernel.invoke(g.token, { principal: admin });
    kernel.revokeToken(g.token.tokenId);
    expect(kernel.gauges()).toEqual({ traceStoreSize: 1, liveHandles: 1, trackedRevocations: 1 });
  });

  it("bounds the in-memory trace store (FIFO)", () => {
    const s = new InMemoryTraceStore({ maxEntries: 2 });
    const t = (id: string) => ({
      actionId: id,
      capabilityId: "c",
      principalId: "p",
      tokenId: "",
      invokedAt: "2026-01-01T00:00:00+00:00",
      args: {},
      responseMode: "summary" as const,
      driverId: "",
      handleId: null,
      error: null,
      resultSummary: null,
      sensitivity: "NONE" as const,
      eventType: "invoke" as const,
      reasonCode: null,
    });
    for (const id of ["a", "b", "c"]) s.record(t(id));
    expect(s.listAll().map((x) => x.actionId)).toEqual(["b", "c"]);
    expect(s.evictedCount).toBe(1);
    expect(() => new InMemoryTraceStore({ maxEntries: 0 })).toThrow(WeftError);
  });

  it("validates its inputs with typed errors", async () => {
    const { kernel } = makeKernel();
    expect(() => kernel.grantCapability({ capabilityId: "noop", goal: "g" }, {} as never)).toThrow(
      InvalidArgumentError,
    );
    const g = kernel.grantCapability({ capabilityId: "noop", goal: "g" }, reader);
    await expect(kernel.invoke(g.token, { principal: reader, args: [] as never })).rejects.toThrow(
      InvalidArgumentError,
    );
    expect(() => kernel.revokeToken("")).toThrow(InvalidArgumentError);
    expect(() => kernel.expand(null as never)).toThrow(InvalidArgumentError);
    expect(() => new Kernel({} as never)).toThrow(InvalidArgumentError);
    expect(kernel.requestCapabilities("delete customer")[0]?.capabilityId).toBe("crm.delete");
  });
});

describe("Kernel input validation", () => {
  it("rejects a missing token with TOKEN_INVALID, untraced", async () => {
    const { kernel } = makeKernel();
    await expect(kernel.invoke(null as never, { principal: reader })).rejects.toMatchObject({
      code: "TOKEN_INVALID",
    });
    expect(kernel.listTraces()).toHaveLength(0);
  });
});
