// A small real kernel for the tests: three capabilities (READ, WRITE, one whose driver fails)
// served by a FunctionDriver, and principals with and without the writer role.

import { CapabilityRegistry, FunctionDriver, Kernel, type Principal } from "@weft/kernel";

// Tests must not depend on a developer's environment; a fixed secret also avoids the dev-secret warning.
process.env.WEFT_SECRET ??= "instrumentation-kernel-test-secret-0123456789";

export const READ = "crm.read_customer";
export const WRITE = "crm.update_customer";
export const FAILING = "crm.flaky";

export const reader: Principal = { principalId: "agent-reader", roles: [], attributes: {} };
export const writer: Principal = { principalId: "agent-writer", roles: ["writer"], attributes: {} };

export type DriverFn = (args: Record<string, unknown>) => Promise<unknown>;

export function makeKernel(kernelId: string, read?: DriverFn): Kernel {
  const registry = new CapabilityRegistry();
  registry.register({
    capabilityId: READ,
    name: "Read customer",
    description: "Reads customer rows",
    safetyClass: "READ",
    sensitivity: "NONE",
    tags: ["crm"],
  });
  registry.register({
    capabilityId: WRITE,
    name: "Update customer",
    description: "Updates a customer",
    safetyClass: "WRITE",
    sensitivity: "NONE",
    tags: ["crm"],
  });
  registry.register({
    capabilityId: FAILING,
    name: "Flaky",
    description: "Always fails",
    safetyClass: "READ",
    sensitivity: "NONE",
    tags: ["crm"],
  });
  const kernel = new Kernel({ registry, kernelId });
  kernel.registerDriver(
    new FunctionDriver("memory", {
      [READ]: async (args: Record<string, unknown>) =>
        read
          ? read(args)
          : [
              { id: 1, name: "Ada" },
              { id: 2, name: "Grace" },
            ],
      [WRITE]: async () => ({ ok: true }),
      [FAILING]: async () => {
        throw new Error("backend unavailable");
      },
    }),
  );
  return kernel;
}

export function grantRead(kernel: Kernel, principal: Principal = reader) {
  return kernel.grantCapability(
    { capabilityId: READ, goal: "look up a customer", constraints: {} },
    principal,
    {
      justification: "",
    },
  );
}
