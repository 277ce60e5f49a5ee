// Overhead of @weft/instrumentation-kernel on kernel.invoke of a no-op capability, measured in
// one process with interleaved rounds (order rotated each round, so machine noise hits every mode
// alike); medians of invokes/s by wall clock and by process CPU time.
//   baseline   instrumentation disabled: the kernel's channels have no subscribers
//   sdk        enabled on an SDK 3 TracerProvider (BatchSpanProcessor, no-op exporter) and a
//              MeterProvider, AsyncLocalStorage context manager registered (as NodeSDK does)
//   no-sdk     enabled with only the no-op API (no provider, no context manager)
// Two reference modes explain the sdk figure (no target):
//   sdk-idle   the same SDK set-up, instrumentation disabled (what the context manager costs)
//   span-floor instrumentation disabled, the bench itself wraps each invoke in one bare span
//              (3 attributes, no context switch) on the same provider: the least any span costs
// Run: pnpm run build && node test/bench/instrumentation-overhead/main.ts [rounds] [invokesPerRound]

import { context, SpanKind } from "@opentelemetry/api";
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
const { token } = kernel.grantCapability(
  { capabilityId: "bench.noop", goal: "bench", constraints: {} },
  principal,
  {
    justification: "benchmark of the instrumentation overhead",
  },
);

// --- SDK pieces ----------------------------------------------------------------------------------
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
const floorTracer = tracerProvider.getTracer("bench-floor");
const contextManager = new AsyncLocalStorageContextManager();

const withSdk = new KernelInstrumentation({ enabled: false, tracerProvider, meterProvider });
const withoutSdk = new KernelInstrumentation({ enabled: false });

/** Invokes per second of wall time and of process CPU time (CPU time is steadier when other
 * processes compete for the cores; it includes GC threads, so it is the full cost). */
async function round(n: number, bareSpan: boolean): Promise<{ wall: number; cpu: number }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < n; i++) {
    const span = bareSpan
      ? floorTracer.startSpan("execute_tool bench.noop", {
          kind: SpanKind.INTERNAL,
          attributes: {
            "gen_ai.operation.name": "execute_tool",
            "gen_ai.tool.name": "bench.noop",
            "weft.kernel.id": "bench",
          },
        })
      : undefined;
    await kernel.invoke(token, { principal, args: { i }, responseMode: "raw" });
    span?.end();
  }
  const wallS = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return { wall: n / wallS, cpu: n / ((used.user + used.system) / 1e6) };
}

// --- the modes -----------------------------------------------------------------------------------
type Mode = "baseline" | "sdk" | "no-sdk" | "sdk-idle" | "span-floor";
const MODES: Mode[] = ["baseline", "sdk", "no-sdk", "sdk-idle", "span-floor"];
const usesContextManager = (mode: Mode) => mode === "sdk" || mode === "sdk-idle" || mode === "span-floor";

function enter(mode: Mode): void {
  if (usesContextManager(mode)) context.setGlobalContextManager(contextManager.enable());
  if (mode === "sdk") withSdk.enable();
  if (mode === "no-sdk") withoutSdk.enable();
}

function leave(mode: Mode): void {
  if (mode === "sdk") withSdk.disable();
  if (mode === "no-sdk") withoutSdk.disable();
  if (usesContextManager(mode)) {
    context.disable();
    contextManager.disable();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

// Warm-up: let the JIT settle every path before measuring.
for (const mode of MODES) {
  enter(mode);
  await round(PER_ROUND, mode === "span-floor");
  leave(mode);
}

const results = Object.fromEntries(MODES.map((m) => [m, [] as { wall: number; cpu: number }[]])) as Record<
  Mode,
  { wall: number; cpu: number }[]
>;
for (let r = 0; r < ROUNDS; r++) {
  for (let i = 0; i < MODES.length; i++) {
    const mode = MODES[(i + r) % MODES.length] as Mode;
    enter(mode);
    results[mode].push(await round(PER_ROUND, mode === "span-floor"));
    leave(mode);
  }
}
await tracerProvider.shutdown();
await meterProvider.shutdown();

// --- report --------------------------------------------------------------------------------------
const rate = (mode: Mode, kind: "wall" | "cpu") => median(results[mode].map((r) => r[kind]));
const usPerInvoke = (mode: Mode) => 1e6 / rate(mode, "cpu");
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
console.log(
  `instrumentation-overhead: ${ROUNDS} interleaved rounds x ${PER_ROUND} invokes of a no-op capability, medians, node ${process.version}`,
);
console.log(
  `${"mode".padEnd(40)}${"wall inv/s".padStart(11)}${"cpu inv/s".padStart(11)}${"cpu us/inv".padStart(12)}${"ratio wall".padStart(12)}${"ratio cpu".padStart(11)}${"overhead".padStart(10)}  target`,
);
let failed = false;
for (const [mode, label, target] of [
  ["baseline", "uninstrumented (disabled)", undefined],
  ["sdk", "instrumented, SDK 3 + BSP (no-op exporter)", TARGET_SDK],
  ["no-sdk", "instrumented, no-op API (no SDK)", TARGET_NO_SDK],
  ["sdk-idle", "  ref: SDK context manager, disabled", undefined],
  ["span-floor", "  ref: one bare span per invoke", undefined],
] as const) {
  const ratioWall = rate(mode, "wall") / rate("baseline", "wall");
  const ratioCpu = rate(mode, "cpu") / rate("baseline", "cpu");
  // Overhead = extra CPU time per invoke relative to the baseline's.
  const overhead = usPerInvoke(mode) / usPerInvoke("baseline") - 1;
  let verdict = "";
  if (target !== undefined) {
    const ok = overhead <= target;
    failed ||= !ok;
    verdict = `<= ${pct(target)} ${ok ? "OK" : "OVER TARGET"}`;
  }
  console.log(
    `${label.padEnd(40)}${rate(mode, "wall").toFixed(0).padStart(11)}${rate(mode, "cpu").toFixed(0).padStart(11)}${usPerInvoke(mode).toFixed(2).padStart(12)}${ratioWall.toFixed(3).padStart(12)}${ratioCpu.toFixed(3).padStart(11)}${(mode === "baseline" ? "-" : pct(overhead)).padStart(10)}  ${verdict}`,
  );
}
const added = usPerInvoke("sdk") - usPerInvoke("baseline");
const floor = usPerInvoke("span-floor") - usPerInvoke("baseline");
console.log(
  `sdk mode adds ${added.toFixed(2)} us per invoke; a bare span alone adds ${floor.toFixed(2)} us (${pct(floor / usPerInvoke("baseline"))} of this invoke)`,
);
console.log(failed ? "result: over target" : "result: within targets");
