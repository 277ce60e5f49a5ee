// Kernel guards: checks added beside the policy. A grant-time guard can deny or add signed
// constraints; an invoke-time guard denies before any driver runs, and its denial is recorded and
// counted like the policy's.

import { describe, expect, it } from "vitest";
import { type KernelGuard, PolicyDeniedError } from "../src/index.js";
import { makeKernel, reader } from "./helpers.js";

function guard(overrides: Partial<KernelGuard> = {}): KernelGuard {
  return { guardId: "test-guard", ...overrides };
}

describe("kernel guards", () => {
  it("adds signed constraints at grant and sees them again at invoke", async () => {
    const seen: unknown[] = [];
    const { kernel } = makeKernel({
      guards: [
        guard({
          checkGrant: () => ({ allowed: true, constraints: { pinned: "abc" } }),
          checkInvoke: (input) => {
            seen.push(input.constraints["pinned"]);
            return { allowed: true };
          },
        }),
      ],
    });
    const { token } = kernel.grantCapability({ capabilityId: "crm.list", goal: "list" }, reader);
    expect(token.constraints["pinned"]).toBe("abc");
    await kernel.invoke(token, { principal: reader });
    expect(seen).toEqual(["abc"]);
  });

  it("a grant-time denial is recorded with its reason code and counted", () => {
    const { kernel } = makeKernel();
    kernel.addGuard(
      guard({ checkGrant: () => ({ allowed: false, reason: "not today", reasonCode: "guard_said_no" }) }),
    );
    expect(() => kernel.grantCapability({ capabilityId: "crm.list", goal: "list" }, reader)).toThrow(
      PolicyDeniedError,
    );
    const [trace] = kernel.listTraces();
    expect(trace?.eventType).toBe("deny");
    expect(trace?.reasonCode).toBe("guard_said_no");
    expect(kernel.stats.denialsByReason["guard_said_no"]).toBe(1);
  });

  it("an invoke-time denial runs no driver, records the token id and counts the denial", async () => {
    let denyNow = false;
    const { kernel } = makeKernel();
    kernel.addGuard(
      guard({
        checkInvoke: () =>
          denyNow ? { allowed: false, reason: "changed", reasonCode: "changed_since_grant" } : undefined,
      }),
    );
    const { token } = kernel.grantCapability({ capabilityId: "crm.list", goal: "list" }, reader);
    denyNow = true;
    const before = kernel.stats.invocations;
    await expect(kernel.invoke(token, { principal: reader })).rejects.toMatchObject({
      code: "POLICY_DENIED",
      reasonCode: "changed_since_grant",
    });
    expect(kernel.stats.invocations).toBe(before);
    const deny = kernel.listTraces().find((t) => t.eventType === "deny");
    expect(deny?.tokenId).toBe(token.tokenId);
    expect(deny?.reasonCode).toBe("changed_since_grant");
  });

  it("rejects a guard without an id, a duplicate id, and a denial without a reason code", async () => {
    const { kernel } = makeKernel();
    expect(() => kernel.addGuard({ guardId: "" })).toThrow(/guardId/);
    kernel.addGuard(guard());
    expect(() => kernel.addGuard(guard())).toThrow(/already/);
    const bad = makeKernel().kernel;
    bad.addGuard(guard({ checkGrant: () => ({ allowed: false, reason: "x", reasonCode: "" }) }));
    expect(() => bad.grantCapability({ capabilityId: "crm.list", goal: "list" }, reader)).toThrow(
      /reason code/,
    );
  });
});
