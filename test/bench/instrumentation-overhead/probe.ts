// TEMP probe (to be deleted): where does the overhead go?
import { tracingChannel } from "node:diagnostics_channel";
import { KernelInstrumentation } from "@weft/instrumentation-kernel";
import { CapabilityRegistry, FunctionDriver, Kernel, type Principal, CHANNEL_INVOKE } from "@weft/kernel";
process.env.WEFT_SECRET ??= "instrumentation-overhead-bench-secret-0123456789";
const registry = new CapabilityRegistry();
registry.register({ capabilityId: "bench.noop", name: "No-op", description: "x", safetyClass: "READ", sensitivity: "NONE", tags: [] });
const kernel = new Kernel({ registry, kernelId: "bench" });
kernel.registerDriver(new FunctionDriver("memory", { "bench.noop": async () => ({}) }));
const principal: Principal = { principalId: "bench-agent", roles: ["admin"], attributes: {} };
const { token } = kernel.grantCapability({ capabilityId: "bench.noop", goal: "bench", constraints: {} }, principal, { justification: "benchmark of the instrumentation overhead" });
async function round(n: number) { const t = performance.now(); for (let i = 0; i < n; i++) await kernel.invoke(token, { principal, args: { i }, responseMode: "raw" }); return n / ((performance.now() - t) / 1000); }
const ch = tracingChannel(CHANNEL_INVOKE);
const empty = { start() {}, end() {}, asyncEnd() {} } as never;
const withCtx = { start(m: { runInContext?: unknown }) { m.runInContext = (fn: () => unknown) => fn(); }, end() {}, asyncEnd() {} } as never;
const inst = new KernelInstrumentation({ enabled: false });
const modes: Record<string, [() => void, () => void]> = {
  base: [() => {}, () => {}],
  empty: [() => ch.subscribe(empty), () => ch.unsubscribe(empty)],
  runInContext: [() => ch.subscribe(withCtx), () => ch.unsubscribe(withCtx)],
  inst: [() => inst.enable(), () => inst.disable()],
};
const res: Record<string, number[]> = {};
for (let r = 0; r < 12; r++) for (const [k, [on, off]] of Object.entries(modes)) { on(); (res[k] ??= []).push(await round(3000)); off(); }
for (const [k, v] of Object.entries(res)) { v.sort((a, b) => a - b); console.log(k, v[Math.floor(v.length / 2)]?.toFixed(0)); }
