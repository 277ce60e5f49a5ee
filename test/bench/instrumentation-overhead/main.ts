// Overhead of @weft/instrumentation-kernel on kernel.invoke of a no-op capability, three ways,
// measured in one process with interleaved rounds (so machine noise hits all three alike):
//   baseline  - instrumentation disabled (the kernel's channels have no subscribers)
//   sdk       - enabled on an SDK 3 TracerProvider (BatchSpanProcessor, no-op exporter) and a
//               MeterProvider, with the AsyncLocalStorage context manager registered
//   no-sdk    - enabled with only the no-op API (no provider, no context manager registered)
// Prints median invokes/s per mode and the overhead ratio against the baseline of the same run.
// Run: pnpm run build && node test/bench/instrumentation-overhead/main.ts [rounds] [invokesPerRound]

import { context } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import { BatchSpanProcessor, type SpanExporter, TracerProvider } from "@opentelemetry/sdk-trace";
import { KernelInstrumentation } from "@weft/instrumentation-kernel";
import { CapabilityRegistry, FunctionDriver, Kernel, type Principal } from "@weft/kernel";

const ROUNDS = Number(process.argv[2] ?? 30);
const PER_ROUND = Number(process.argv[3] ?? 2000);
const TARGET_SDK = 0.15;
const TARGET_NO_SDK = 0.02;

process.env.WEFT_SECRET ??= "instrumentation-overhead-bench-secret-0123456789";

// --- the workload: one no-op capability, a principal allowed raw responses (no handle stored) ---
const registry = new CapabilityRegistry();
registry.register({
  capabilityId: "bench.noop",
  name: "No-op",
  description: "Returns an empty object",
  safetyClass: "READ",
  sensitivity: "NONE",
  tags: [],
});
const kernel = new Kernel({ registry, kernelId: "bench" });
kernel.registerDriver(new FunctionDriver("memory", { "bench.noop": async () => ({}) }));
const principal: Principal = { principalId: "bench-agent", roles: ["admin"], attributes: {} };
const { token } = kernel.grantCapability({ capabilityId: "bench.noop", goal: "bench", constraints: {} }, principal, {
  justification: "benchmark of the instrumentation overhead",
});

/** Invokes per second of wall time and of process CPU time (the latter is steadier when other
 * processes compete for the cores; it includes GC threads, so it is the full cost). */
async function round(n: number): Promise<{ wall: number; cpu: number }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < n; i++) {
    await kernel.invoke(token, { principal, args: { i }, responseMode: "raw" });
  }
  const wallS = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return { wall: n / wallS, cpu: n / ((used.user + used.system) / 1e6) };
}

// --- the three modes ---------------------------------------------------------------------------
const noopExporter: SpanExporter = {
  export: (_spans, done) => done({ code: 0 }),
  shutdown: async () => {},
};
class IdleReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}
const tracerProvider = new TracerProvider({
  spanProcessors: [new BatchSpanProcessor({ exporter: noopExporter })],
});
const meterProvider = new MeterProvider({ readers: [new IdleReader()] });
const contextManager = new AsyncLocalStorageContextManager();

const withSdk = new KernelInstrumentation({ enabled: false, tracerProvider, meterProvider });
const withoutSdk = new KernelInstrumentation({ enabled: false });

type Mode = "baseline" | "sdk" | "no-sdk";
const MODES: Mode[] = ["baseline", "sdk", "no-sdk"];

function enter(mode: Mode): void {
  if (mode === "sdk") {
    context.setGlobalContextManager(contextManager.enable());
    withSdk.enable();
  } else if (mode === "no-sdk") {
    withoutSdk.enable();
  }
}

function leave(mode: Mode): void {
  if (mode === "sdk") {
    withSdk.disable();
    context.disable();
    contextManager.disable();
  } else if (mode === "no-sdk") {
    withoutSdk.disable();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

// Warm-up: let the JIT settle every path before measuring.
for (const mode of MODES) {
  enter(mode);
  await round(PER_ROUND);
  leave(mode);
}

const results: Record<Mode, { wall: number; cpu: number }[]> = { baseline: [], sdk: [], "no-sdk": [] };
for (let r = 0; r < ROUNDS; r++) {
  // Rotate the order each round so no mode always runs right after another.
  const order = MODES.map((_, i) => MODES[(i + r) % MODES.length] as Mode);
  for (const mode of order) {
    enter(mode);
    results[mode].push(await round(PER_ROUND));
    leave(mode);
  }
}
await tracerProvider.shutdown();
await meterProvider.shutdown();

const rates = (mode: Mode, kind: "wall" | "cpu") => median(results[mode].map((r) => r[kind]));
const fmt = (x: number) => x.toFixed(0).padStart(7);
const pct = (x: number) => `${(x * 100).toFixed(1)}%`.padStart(6);
console.log(
  `instrumentation-overhead: ${ROUNDS} interleaved rounds x ${PER_ROUND} invokes of a no-op capability, medians (node ${process.version})`,
);
console.log("  mode                          wall inv/s  cpu inv/s   ratio(wall)  ratio(cpu)  overhead(cpu)  target");
let failed = false;
for (const [mode, label, target] of [
  ["baseline", "uninstrumented (disabled)", undefined],
  ["sdk", "instrumented, SDK + BSP", TARGET_SDK],
  ["no-sdk", "instrumented, no-op API", TARGET_NO_SDK],
] as const) {
  const wall = rates(mode, "wall");
  const cpu = rates(mode, "cpu");
  const ratioWall = wall / rates("baseline", "wall");
  const ratioCpu = cpu / rates("baseline", "cpu");
  const overhead = 1 / ratioCpu - 1; // extra CPU time per invoke, relative to the baseline
  let verdict = "";
  if (target !== undefined) {
    const ok = overhead <= target;
    failed ||= !ok;
    verdict = `<= ${pct(target).trim()}  ${ok ? "OK" : "OVER TARGET"}`;
  }
  console.log(
    `  ${label.padEnd(28)} ${fmt(wall)}    ${fmt(cpu)}     ${ratioWall.toFixed(3)}        ${ratioCpu.toFixed(3)}     ${target === undefined ? "     -" : pct(overhead)}        ${verdict}`,
  );
}
console.log(`  per-invoke cost: baseline ${(1e6 / rates("baseline", "cpu")).toFixed(2)} us cpu`);
console.log(failed ? "result: over target" : "result: within targets");
