// TEMP probe (to be deleted): cost of the subscriber alone, no kernel
import { tracingChannel } from "node:diagnostics_channel";
import { KernelInstrumentation } from "@weft/instrumentation-kernel";
const ch = tracingChannel("weft:kernel:invoke");
import { context } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import { BatchSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
class R extends MetricReader { protected override async onShutdown() {} protected override async onForceFlush() {} }
const sdk = process.argv[2] === "sdk";
if (sdk) context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const inst = new KernelInstrumentation({ ...(sdk ? { tracerProvider: new TracerProvider({ spanProcessors: [new BatchSpanProcessor({ exporter: { export: (_s, cb) => cb({ code: 0 }), shutdown: async () => {} } })] }), meterProvider: new MeterProvider({ readers: [new R()] }) } : {}) });
void inst;
function once() {
  const m: Record<string, unknown> = { kernelId: "k", principalId: "p", capabilityId: "c", tokenId: "t", requestedResponseMode: "raw", dryRun: false };
  ch.start.publish(m); m.actionId = "a"; m.decision = "allow"; (m.runInContext as undefined | ((f: () => void) => void))?.(() => {}); Object.assign(m, { safetyClass: "READ", sensitivity: "NONE", responseMode: "raw", driverId: "memory", driversTried: ["memory"], fallback: false }); ch.end.publish(m); ch.asyncStart.publish(m); ch.asyncEnd.publish(m);
}
for (let r = 0; r < 5; r++) { const n = 100000; const c = process.cpuUsage(); const t = performance.now(); for (let i = 0; i < n; i++) once(); const u = process.cpuUsage(c); console.log(((performance.now() - t) * 1000 / n).toFixed(3), "us/op wall", ((u.user + u.system) / n).toFixed(3), "us/op cpu"); }
