// The kernel-invoke workload, shared with other benchmarks (e.g. instrumentation overhead): one
// no-op READ capability served by an in-process FunctionDriver, granted once, invoked N times.
// Import it from a benchmark: `import { createNoopWorkload } from "../kernel-invoke/workload.ts"`.

import {
  CapabilityRegistry,
  type CapabilityToken,
  type Frame,
  FunctionDriver,
  Kernel,
  type Principal,
  type ResponseMode,
} from "@weft/kernel";

export const NOOP_CAPABILITY = "bench.noop";

export interface NoopWorkload {
  kernel: Kernel;
  principal: Principal;
  /** The long-lived token every invoke uses. */
  token: CapabilityToken;
  /** One mediated invoke (verify → route → driver → firewall → handle unless raw → trace). */
  invokeOnce(i: number): Promise<Frame>;
  /** Runs `n` sequential invokes; returns invokes per second. */
  run(n: number): Promise<number>;
}

export interface NoopWorkloadOptions {
  kernelId?: string;
  /** "raw" (admin principal, no handle stored) or any other mode. Default "raw". */
  responseMode?: ResponseMode;
  secret?: string;
}

export function createNoopWorkload(options: NoopWorkloadOptions = {}): NoopWorkload {
  const responseMode = options.responseMode ?? "raw";
  const registry = new CapabilityRegistry();
  registry.register({
    capabilityId: NOOP_CAPABILITY,
    name: "No-op",
    description: "Returns an empty object",
    safetyClass: "READ",
  });
  const kernel = new Kernel({
    registry,
    kernelId: options.kernelId ?? "bench",
    secret: options.secret ?? "kernel-invoke-bench-secret-0123456789",
  });
  kernel.registerDriver(new FunctionDriver("memory", { [NOOP_CAPABILITY]: () => ({}) }));
  const principal: Principal = { principalId: "bench-agent", roles: ["admin"], attributes: {} };
  const { token } = kernel.grantCapability({ capabilityId: NOOP_CAPABILITY, goal: "bench" }, principal, {
    ttlS: 86_400,
  });
  const invokeOnce = (i: number) => kernel.invoke(token, { principal, args: { i }, responseMode });
  return {
    kernel,
    principal,
    token,
    invokeOnce,
    async run(n) {
      const t0 = performance.now();
      for (let i = 0; i < n; i++) await invokeOnce(i);
      return n / ((performance.now() - t0) / 1000);
    },
  };
}
