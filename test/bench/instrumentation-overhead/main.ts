// Overhead of @weft/instrumentation-kernel on kernel.invoke of a no-op capability, all measured in
// one process: every round runs every (mode, response mode) pair once, in an order rotated each
// round, so machine noise hits all of them alike; the report gives medians over rounds.
// A full GC runs before every round, outside the timed region (see `round`).
// Modes:
//   baseline    instrumentation disabled: the kernel's channels have no subscribers
//   sdk         enabled on an SDK 3 TracerProvider (BatchSpanProcessor, no-op exporter) and a
//               MeterProvider, AsyncLocalStorage context manager registered (as NodeSDK does)
//   no-sdk      enabled with only the no-op API (no provider, no context manager)
// References that explain the sdk figure (no target):
//   sdk-idle    the same SDK set-up, instrumentation disabled (what the context manager costs)
//   span-floor  instrumentation disabled; the bench wraps each invoke in one bare span (3
//               attributes, no context switch) on the same provider: the least any span costs
// Response modes: "summary" is the kernel's default (what users get) and carries the targets;
// "raw" (no handle stored, admin only) is a cheaper invoke, printed for comparison.
// Run: pnpm run build && node test/bench/instrumentation-overhead/main.ts [rounds] [invokesPerRound]

import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { context, SpanKind } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import { BatchSpanProcessor, type SpanExporter, TracerProvider } from "@opentelemetry/sdk-trace";
import { KernelInstrumentation } from "@weft/instrumentation-kernel";
import type { ResponseMode } from "@weft/kernel";
import { createNoopWorkload, NOOP_CAPABILITY, type NoopWorkload } from "../kernel-invoke/workload.ts";

const ROUNDS = Number(process.argv[2] ?? 21);
const PER_ROUND = Number(process.argv[3] ?? 4000);
const TARGETS = { sdk: 0.15, "no-sdk": 0.02 } as const;
const PRIMARY: ResponseMode = "summary";
const RESPONSE_MODES: ResponseMode[] = ["summary", "raw"];

// --- workloads: one kernel per response mode, so each handle store sees only its own mode ------
const workloads = Object.fromEntries(
  RESPONSE_MODES.map((rm) => [rm, createNoopWorkload({ kernelId: `bench-${rm}`, responseMode: rm })]),
) as Record<ResponseMode, NoopWorkload>;

// --- SDK pieces --------------------------------------------------------------------------------
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

interface Sample {
  /** µs per invoke of process CPU time (user + system: includes GC threads, so the full cost). */
  cpu: number;
  /** µs per invoke of wall time. */
  wall: number;
}

// A full collection before each round (outside the timed region) so that one mode's garbage is
// not collected, and charged, during the next mode's round. Collections a round triggers itself
// are counted. (`--expose-gc` set at run time, so the documented command needs no flag.)
setFlagsFromString("--expose-gc");
const collectGarbage = runInNewContext("gc") as () => void;

async function round(w: NoopWorkload, n: number, bareSpan: boolean): Promise<Sample> {
  collectGarbage();
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < n; i++) {
    const span = bareSpan
      ? floorTracer.startSpan(`execute_tool ${NOOP_CAPABILITY}`, {
          kind: SpanKind.INTERNAL,
          attributes: {
            "gen_ai.operation.name": "execute_tool",
            "gen_ai.tool.name": NOOP_CAPABILITY,
            "weft.kernel.id": "bench",
          },
        })
      : undefined;
    await w.invokeOnce(i);
    span?.end();
  }
  const wallUs = (performance.now() - started) * 1000;
  const used = process.cpuUsage(cpu);
  return { cpu: (used.user + used.system) / n, wall: wallUs / n };
}

// --- the modes ---------------------------------------------------------------------------------
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

const PAIRS = RESPONSE_MODES.flatMap((rm) => MODES.map((mode) => ({ rm, mode })));
const key = (rm: ResponseMode, mode: Mode) => `${rm}/${mode}`;
const results = new Map<string, Sample[]>(PAIRS.map(({ rm, mode }) => [key(rm, mode), []]));

// Warm-up: let the JIT settle every path, and fill the summary kernel's handle store to its
// steady state (it holds at most 10 000 handles; beyond that each store evicts the oldest).
for (const { rm, mode } of PAIRS) {
  enter(mode);
  await round(workloads[rm], PER_ROUND * 3, mode === "span-floor");
  leave(mode);
}

for (let r = 0; r < ROUNDS; r++) {
  for (let i = 0; i < PAIRS.length; i++) {
    const { rm, mode } = PAIRS[(i + r) % PAIRS.length] as (typeof PAIRS)[number];
    enter(mode);
    results.get(key(rm, mode))?.push(await round(workloads[rm], PER_ROUND, mode === "span-floor"));
    leave(mode);
  }
}
await tracerProvider.shutdown();
await meterProvider.shutdown();

// --- report ------------------------------------------------------------------------------------
const us = (rm: ResponseMode, mode: Mode, kind: keyof Sample) =>
  median((results.get(key(rm, mode)) ?? []).map((s) => s[kind]));
const pct = (x: number) => `${x >= 0 ? "+" : ""}${(x * 100).toFixed(1)}%`;
const LABELS: Record<Mode, string> = {
  baseline: "uninstrumented (disabled)",
  sdk: "instrumented, SDK 3 + BSP (no-op exporter)",
  "no-sdk": "instrumented, no-op API (no SDK)",
  "sdk-idle": "  ref: SDK context manager only",
  "span-floor": "  ref: one bare SDK span per invoke",
};

console.log(
  `instrumentation-overhead: ${ROUNDS} interleaved rounds x ${PER_ROUND} invokes of a no-op capability per (mode, response mode); medians; node ${process.version}`,
);
console.log("overhead = (µs per invoke in the mode) / (µs per invoke uninstrumented) - 1, by CPU time and by wall time");
const verdicts: string[] = [];
for (const rm of RESPONSE_MODES) {
  const primary = rm === PRIMARY;
  console.log(
    `\nresponse mode "${rm}"${primary ? " (the kernel's default; targets apply)" : " (admin-only, no handle stored; for comparison)"}`,
  );
  console.log(
    `${"mode".padEnd(44)}${"cpu µs/inv".padStart(11)}${"wall µs/inv".padStart(12)}${"ratio cpu".padStart(10)}${"ratio wall".padStart(11)}${"ovh cpu".padStart(9)}${"ovh wall".padStart(9)}  target`,
  );
  const baseCpu = us(rm, "baseline", "cpu");
  const baseWall = us(rm, "baseline", "wall");
  for (const mode of MODES) {
    const cpu = us(rm, mode, "cpu");
    const wall = us(rm, mode, "wall");
    const target = mode === "sdk" || mode === "no-sdk" ? TARGETS[mode] : undefined;
    let verdict = "";
    if (target !== undefined) {
      const met = cpu / baseCpu - 1 <= target;
      verdict = `<= ${(target * 100).toFixed(0)}% (cpu): ${met ? "target met" : "target NOT met"}`;
      if (primary) verdicts.push(`${mode}: ${pct(cpu / baseCpu - 1)} vs <= ${(target * 100).toFixed(0)}% — ${met ? "target met" : "target NOT met"}`);
    }
    console.log(
      `${LABELS[mode].padEnd(44)}${cpu.toFixed(2).padStart(11)}${wall.toFixed(2).padStart(12)}${(cpu / baseCpu).toFixed(3).padStart(10)}${(wall / baseWall).toFixed(3).padStart(11)}${(mode === "baseline" ? "-" : pct(cpu / baseCpu - 1)).padStart(9)}${(mode === "baseline" ? "-" : pct(wall / baseWall - 1)).padStart(9)}  ${verdict}`,
    );
  }
  const added = us(rm, "sdk", "cpu") - baseCpu;
  const floor = us(rm, "span-floor", "cpu") - baseCpu;
  console.log(
    `  sdk mode adds ${added.toFixed(2)} µs CPU per invoke; one bare SDK span alone adds ${floor.toFixed(2)} µs (${pct(floor / baseCpu)} of this invoke)`,
  );
  if (primary && floor / baseCpu > TARGETS.sdk)
    console.log(
      `  floor: one bare span already costs ${pct(floor / baseCpu)} > the ${(TARGETS.sdk * 100).toFixed(0)}% sdk target, so no span-per-invoke instrumentation can meet it on this invoke`,
    );
}
console.log(`\nresult (${PRIMARY} mode, CPU time): ${verdicts.join("; ")}`);
