import { secret } from "@weft/wire";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { HmacTokenProvider, Kernel } from "../src/index.js";
import { makeRegistry, reader } from "./helpers.js";

const resolveSecret = secret.resolve;

const saved = {
  WEFT_SECRET: process.env.WEFT_SECRET,
  WEAVER_KERNEL_SECRET: process.env.WEAVER_KERNEL_SECRET,
};
const DEV_SLOT = Symbol.for("weft.kernel.devSecret");

beforeEach(() => {
  delete process.env.WEFT_SECRET;
  delete process.env.WEAVER_KERNEL_SECRET;
  delete (globalThis as Record<symbol, unknown>)[DEV_SLOT];
});
afterEach(() => {
  vi.restoreAllMocks();
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

describe("secret resolution", () => {
  it("prefers explicit, then WEFT_SECRET, then WEAVER_KERNEL_SECRET", () => {
    process.env.WEAVER_KERNEL_SECRET = "from-weaver";
    expect(resolveSecret()).toBe("from-weaver");
    process.env.WEFT_SECRET = "from-weft";
    expect(resolveSecret()).toBe("from-weft");
    expect(resolveSecret("explicit")).toBe("explicit");
    expect(resolveSecret("")).toBe("from-weft");
  });

  it("falls back to one per-process dev secret with a single warning that names the variable, not the value", () => {
    const warn = vi.spyOn(process, "emitWarning").mockImplementation(() => {});
    const a = resolveSecret();
    const b = resolveSecret();
    expect(a).toBe(b);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(warn).toHaveBeenCalledTimes(1);
    const text = String(warn.mock.calls[0]?.[0]);
    expect(text).toContain("WEFT_SECRET");
    expect(text).not.toContain(a);
  });

  it("signs the default kernel's tokens with WEFT_SECRET", () => {
    process.env.WEFT_SECRET = "env-secret-123";
    const k = new Kernel({ registry: makeRegistry() });
    const { token } = k.grantCapability({ capabilityId: "noop", goal: "g" }, reader);
    const check = new HmacTokenProvider({ secret: "env-secret-123" });
    expect(() =>
      check.verify({ ...token }, { expectedPrincipalId: reader.principalId, expectedCapabilityId: "noop" }),
    ).not.toThrow();
    const wrong = new HmacTokenProvider({ secret: "other" });
    expect(() =>
      wrong.verify({ ...token }, { expectedPrincipalId: reader.principalId, expectedCapabilityId: "noop" }),
    ).toThrow();
  });
});
