// TEMP probe (to be deleted): ALS context manager cost alone
import { context } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { CapabilityRegistry, FunctionDriver, Kernel, type Principal } from "@weft/kernel";
import { KernelInstrumentation } from "@weft/instrumentation-kernel";
process.env.WEFT_SECRET ??= "instrumentation-overhead-bench-secret-0123456789";
const registry = new CapabilityRegistry();
registry.register({ capabilityId: "bench.noop", name: "No-op", description: "x", safetyClass: "READ", sensitivity: "NONE", tags: [] });
const kernel = new Kernel({ registry, kernelId: "bench" });
kernel.registerDriver(new FunctionDriver("memory", { "bench.noop": async () => ({}) }));
const principal: Principal = { principalId: "bench-agent", roles: ["admin"], attributes: {} };
const { token } = kernel.grantCapability({ capabilityId: "bench.noop", goal: "bench", constraints: {} }, principal, { justification: "benchmark of the instrumentation overhead" });
async function round(n: number) { const t = performance.now(); for (let i = 0; i < n; i++) await kernel.invoke(token, { principal, args: { i }, responseMode: "raw" }); return n / ((performance.now() - t) / 1000); }
const cm = new AsyncLocalStorageContextManager();
const inst = new KernelInstrumentation({ enabled: false });
const modes: Record<string, [() => void, () => void]> = {
  base: [() => {}, () => {}],
  als: [() => context.setGlobalContextManager(cm.enable()), () => { context.disable(); cm.disable(); }],
  inst: [() => inst.enable(), () => inst.disable()],
};
const names = Object.keys(modes);
const res: Record<string, number[]> = {};
for (let r = 0; r < 15; r++) for (let j = 0; j < names.length; j++) { const k = names[(j + r) % names.length] as string; const [on, off] = modes[k]!; on(); (res[k] ??= []).push(await round(3000)); off(); }
for (const [k, v] of Object.entries(res)) { v.sort((a, b) => a - b); console.log(k, v[Math.floor(v.length / 2)]?.toFixed(0)); }
