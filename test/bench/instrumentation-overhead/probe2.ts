// TEMP probe (to be deleted)
import { CapabilityRegistry, FunctionDriver, Kernel, type Principal } from "@weft/kernel";
import { KernelInstrumentation } from "@weft/instrumentation-kernel";
import { context } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import { BatchSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
class R extends MetricReader { protected override async onShutdown() {} protected override async onForceFlush() {} }
process.env.WEFT_SECRET ??= "instrumentation-overhead-bench-secret-0123456789";
const registry = new CapabilityRegistry();
registry.register({ capabilityId: "bench.noop", name: "No-op", description: "x", safetyClass: "READ", sensitivity: "NONE", tags: [] });
const kernel = new Kernel({ registry, kernelId: "bench" });
kernel.registerDriver(new FunctionDriver("memory", { "bench.noop": async () => ({}) }));
const principal: Principal = { principalId: "bench-agent", roles: ["admin"], attributes: {} };
const { token } = kernel.grantCapability({ capabilityId: "bench.noop", goal: "bench", constraints: {} }, principal, { justification: "benchmark of the instrumentation overhead" });
async function round(n: number) { const t = performance.now(); for (let i = 0; i < n; i++) await kernel.invoke(token, { principal, args: { i }, responseMode: "raw" }); return n / ((performance.now() - t) / 1000); }
const sdk = process.argv[2] === "sdk";
if (sdk) context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const inst = new KernelInstrumentation({ enabled: process.argv[2] !== "off", ...(sdk ? { tracerProvider: new TracerProvider({ spanProcessors: [new BatchSpanProcessor({ exporter: { export: (_s, cb) => cb({ code: 0 }), shutdown: async () => {} } })] }), meterProvider: new MeterProvider({ readers: [new R()] }) } : {}) });
const v: number[] = [];
for (let r = 0; r < 10; r++) v.push(await round(4000));
v.sort((a, b) => a - b); console.log(process.argv[2], v[5]?.toFixed(0));
void inst;
