import { context } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import { BatchSpanProcessor, type SpanExporter, TracerProvider } from "@opentelemetry/sdk-trace";
import { KernelInstrumentation } from "@weft/instrumentation-kernel";
import { createNoopWorkload } from "../kernel-invoke/workload.ts";
const mode = process.argv[2] ?? "sdk";
const w = createNoopWorkload({ responseMode: (process.argv[3] ?? "raw") as "raw" });
const noopExporter: SpanExporter = { export: (_s, done) => done({ code: 0 }), shutdown: async () => {} };
class IdleReader extends MetricReader { protected override async onShutdown() {} protected override async onForceFlush() {} }
const tracerProvider = new TracerProvider({ spanProcessors: [new BatchSpanProcessor({ exporter: noopExporter })] });
const meterProvider = new MeterProvider({ readers: [new IdleReader()] });
if (mode === "sdk") {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  new KernelInstrumentation({ tracerProvider, meterProvider });
} else if (mode === "nosdk") new KernelInstrumentation();
await w.run(5000);
const t = process.cpuUsage();
const n = 200000;
await w.run(n);
const u = process.cpuUsage(t);
console.log(mode, ((u.user + u.system) / n).toFixed(2), "us cpu/invoke");
