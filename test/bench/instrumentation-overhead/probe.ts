// TEMP probe (to be deleted)
import { context } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import { BatchSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { KernelInstrumentation } from "@weft/instrumentation-kernel";
import { CapabilityRegistry, FunctionDriver, Kernel, type Principal } from "@weft/kernel";
process.env.WEFT_SECRET ??= "instrumentation-overhead-bench-secret-0123456789";
const registry = new CapabilityRegistry();
registry.register({ capabilityId: "bench.noop", name: "No-op", description: "x", safetyClass: "READ", sensitivity: "NONE", tags: [] });
const kernel = new Kernel({ registry, kernelId: "bench" });
kernel.registerDriver(new FunctionDriver("memory", { "bench.noop": async () => ({}) }));
const principal: Principal = { principalId: "bench-agent", roles: ["admin"], attributes: {} };
const { token } = kernel.grantCapability({ capabilityId: "bench.noop", goal: "bench", constraints: {} }, principal, { justification: "benchmark of the instrumentation overhead" });
class R extends MetricReader { protected override async onShutdown() {} protected override async onForceFlush() {} }
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
new KernelInstrumentation({ tracerProvider: new TracerProvider({ spanProcessors: [new BatchSpanProcessor({ exporter: { export: (_s, cb) => cb({ code: 0 }), shutdown: async () => {} } })] }), meterProvider: new MeterProvider({ readers: [new R()] }) });
for (let r = 0; r < 10; r++) { const c = process.cpuUsage(); for (let i = 0; i < 4000; i++) await kernel.invoke(token, { principal, args: { i }, responseMode: "raw" }); const u = process.cpuUsage(c); console.log(((u.user + u.system) / 4000).toFixed(2)); }
