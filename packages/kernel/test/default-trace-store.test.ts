import { afterEach, describe, expect, it } from "vitest";
import {
  getDefaultTraceStore,
  InMemoryTraceStore,
  InvalidArgumentError,
  setDefaultTraceStore,
  type TraceStore,
} from "../src/index.ts";
import { makeKernel, reader } from "./helpers.ts";

afterEach(() => {
  setDefaultTraceStore(undefined);
});

async function invokeOnce(kernel: ReturnType<typeof makeKernel>["kernel"]): Promise<string> {
  const { token } = kernel.grantCapability({ capabilityId: "crm.list", goal: "list" }, reader);
  const frame = await kernel.invoke(token, { principal: reader });
  return frame.actionId;
}

describe("default trace store hook", () => {
  it("routes kernels built without traceStore into the default, leaves explicit ones alone", async () => {
    const shared = new InMemoryTraceStore();
    expect(setDefaultTraceStore(shared)).toBeUndefined();
    const { kernel: attached } = makeKernel({ traceStore: undefined });
    const own = new InMemoryTraceStore();
    const { kernel: explicit } = makeKernel({ traceStore: own });
    expect(attached.traceStore).toBe(shared);
    expect(explicit.traceStore).toBe(own);

    const a = await invokeOnce(attached);
    const b = await invokeOnce(explicit);
    expect(shared.get(a)?.capabilityId).toBe("crm.list");
    expect(shared.get(b)).toBeUndefined();
    expect(own.get(b)?.capabilityId).toBe("crm.list");
  });

  it("only affects kernels constructed afterwards, and can be removed", () => {
    const { kernel: before } = makeKernel({ traceStore: undefined });
    const shared = new InMemoryTraceStore();
    setDefaultTraceStore(shared);
    expect(before.traceStore).not.toBe(shared);
    expect(getDefaultTraceStore()).toBe(shared);
    expect(setDefaultTraceStore(undefined)).toBe(shared);
    expect(getDefaultTraceStore()).toBeUndefined();
    const { kernel: after } = makeKernel({ traceStore: undefined });
    expect(after.traceStore).not.toBe(shared);
    expect(after.traceStore).toBeInstanceOf(InMemoryTraceStore);
  });

  it("is one slot per process, shared by duplicate copies of the kernel module", () => {
    const shared = new InMemoryTraceStore();
    setDefaultTraceStore(shared);
    const slot = (globalThis as Record<symbol, unknown>)[Symbol.for("weft.kernel.defaultTraceStore")];
    expect(slot).toBe(shared);
  });

  it("refuses something that is not a TraceStore", () => {
    expect(() => setDefaultTraceStore({ record() {} } as unknown as TraceStore)).toThrow(
      InvalidArgumentError,
    );
    expect(getDefaultTraceStore()).toBeUndefined();
  });
});
