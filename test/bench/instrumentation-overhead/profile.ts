// A tight loop of instrumented summary-mode invokes (the bench's "sdk" mode), for reading where
// the instrumentation's time goes:
//   pnpm run build && node --cpu-prof --cpu-prof-dir=/tmp/weft-prof test/bench/instrumentation-overhead/profile.ts [n] [mode]
// mode: "sdk" (default) or "baseline". Prints µs of CPU per invoke; open the .cpuprofile in a
// profiler (or sum self time per function) to see the top frames.

import { context } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import { BatchSpanProcessor, type SpanExporter, TracerProvider } from "@opentelemetry/sdk-trace";
import { KernelInstrumentation } from "@weft/instrumentation-kernel";
import { createNoopWorkload } from "../kernel-invoke/workload.ts";

const n = Number(process.argv[2] ?? 200_000);
const mode = process.argv[3] ?? "sdk";
const workload = createNoopWorkload({ kernelId: "bench", responseMode: "summary" });
const noopExporter: SpanExporter = { export: (_s, done) => done({ code: 0 }), shutdown: async () => {} };
class IdleReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}
const tracerProvider = new TracerProvider({
  spanProcessors: [new BatchSpanProcessor({ exporter: noopExporter })],
});
const meterProvider = new MeterProvider({ readers: [new IdleReader()] });
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
if (mode === "sdk") new KernelInstrumentation({ tracerProvider, meterProvider });

for (let i = 0; i < 20_000; i++) await workload.invokeOnce(i);
const cpu = process.cpuUsage();
for (let i = 0; i < n; i++) await workload.invokeOnce(i);
const used = process.cpuUsage(cpu);
console.log(`${mode}: ${((used.user + used.system) / n).toFixed(2)} µs CPU per invoke over ${n}`);
await tracerProvider.shutdown();
await meterProvider.shutdown();
