// Overhead of @weft/instrumentation-kernel on kernel.invoke of a no-op capability, measured in
// one run. Each (mode, response mode) pair lives in its own child process, set up once: toggling
// channel subscriptions inside one process deoptimises the kernel on every switch (Node swaps the
// channel objects' prototypes), and one mode's garbage would be collected on another's clock.
// The parent drives rounds over IPC, one process at a time, in an order rotated every round, so
// machine noise hits every pair alike; the report gives medians over rounds of CPU time
// (user + system of that process; GC runs on the main thread, --single-threaded-gc, so it is
// counted without helper threads' spinning) and wall time per invoke.
// Modes:
//   baseline    instrumentation disabled: the kernel's channels have no subscribers
//   sdk         enabled on an SDK 3 TracerProvider (BatchSpanProcessor, no-op exporter) and a
//               MeterProvider, AsyncLocalStorage context manager registered (as NodeSDK does)
//   no-sdk      enabled with only the no-op API (no provider, no context manager)
// References (no target):
//   baseline-2  a second uninstrumented process: its distance from baseline is the noise floor
//   channel-floor  an empty subscriber on the invoke channel: what the kernel's own channel
//               publishing costs, the floor of any subscriber (no-sdk cannot be cheaper)
//   sdk-idle    the same SDK set-up, instrumentation disabled (what the context manager costs)
//   span-floor  instrumentation disabled; the bench wraps each invoke in one bare span (3
//               attributes, no context switch) on the same provider: the least any span costs
// Response modes: "summary" is the kernel's default (what users get) and carries the targets;
// "raw" (no handle stored, admin only) is a cheaper invoke, printed for comparison.
// Run: pnpm run build && node test/bench/instrumentation-overhead/main.ts [rounds] [invokesPerRound]

import { fork } from "node:child_process";
import { type TracingChannelSubscribers, tracingChannel } from "node:diagnostics_channel";
import { context, SpanKind } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import { BatchSpanProcessor, type SpanExporter, TracerProvider } from "@opentelemetry/sdk-trace";
import { KernelInstrumentation } from "@weft/instrumentation-kernel";
import { CHANNEL_INVOKE, type ResponseMode } from "@weft/kernel";
import { createNoopWorkload, NOOP_CAPABILITY } from "../kernel-invoke/workload.ts";

type Mode = "baseline" | "sdk" | "no-sdk" | "baseline-2" | "channel-floor" | "sdk-idle" | "span-floor";
const MODES: Mode[] = ["baseline", "sdk", "no-sdk", "baseline-2", "channel-floor", "sdk-idle", "span-floor"];
const RESPONSE_MODES: ResponseMode[] = ["summary", "raw"];
const PRIMARY: ResponseMode = "summary";
const TARGETS = { sdk: 0.15, "no-sdk": 0.02 } as const;

interface Sample {
  /** µs per invoke of process CPU time (user + system: GC threads included, so the full cost). */
  cpu: number;
  /** µs per invoke of wall time. */
  wall: number;
}

// ------------------------------------------------------------------------------------ worker
/** One (mode, response mode) pair: set up once, then run a round per message from the parent. */
async function worker(mode: Mode, responseMode: ResponseMode): Promise<void> {
  const workload = createNoopWorkload({ kernelId: "bench", responseMode });
  const noopExporter: SpanExporter = {
    export: (_spans, done) => done({ code: 0 }),
    shutdown: async () => {},
  };
  class IdleReader extends MetricReader {
    protected override async onShutdown(): Promise<void> {}
    protected override async onForceFlush(): Promise<void> {}
  }
  const usesSdk = mode === "sdk" || mode === "sdk-idle" || mode === "span-floor";
  const tracerProvider = new TracerProvider({
    spanProcessors: [new BatchSpanProcessor({ exporter: noopExporter })],
  });
  const meterProvider = new MeterProvider({ readers: [new IdleReader()] });
  if (usesSdk) context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  if (mode === "sdk") new KernelInstrumentation({ tracerProvider, meterProvider });
  if (mode === "no-sdk") new KernelInstrumentation();
  if (mode === "channel-floor") {
    // Only the handlers a real subscriber uses (Node subscribes just the ones present).
    const handlers = { start() {}, end() {}, asyncEnd() {} };
    tracingChannel(CHANNEL_INVOKE).subscribe(handlers as unknown as TracingChannelSubscribers<object>);
  }
  const floorTracer = tracerProvider.getTracer("bench-floor");
  const bareSpan = mode === "span-floor";

  const round = async (n: number): Promise<Sample> => {
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
      await workload.invokeOnce(i);
      span?.end();
    }
    const wall = ((performance.now() - started) * 1000) / n;
    const used = process.cpuUsage(cpu);
    return { cpu: (used.user + used.system) / n, wall };
  };

  process.on("message", async (msg: { run?: number; stop?: boolean }) => {
    if (msg.stop === true) {
      await tracerProvider.shutdown();
      await meterProvider.shutdown();
      process.disconnect();
      return;
    }
    process.send?.(await round(msg.run ?? 0));
  });
  process.send?.({ ready: true });
}

// ------------------------------------------------------------------------------------ parent
interface Pair {
  mode: Mode;
  rm: ResponseMode;
  child: ReturnType<typeof fork>;
  samples: Sample[];
}

function nextMessage<T>(child: ReturnType<typeof fork>): Promise<T> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`bench worker exited (${code})`));
    child.once("exit", onExit);
    child.once("message", (m) => {
      child.off("exit", onExit);
      resolve(m as T);
    });
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

async function parent(rounds: number, perRound: number): Promise<void> {
  const pairs: Pair[] = [];
  for (const rm of RESPONSE_MODES) {
    for (const mode of MODES) {
      // Single-threaded GC: collections still count, on the main thread, instead of helper
      // threads whose CPU time swings with how busy the other cores are.
      const child = fork(import.meta.filename, ["--worker", mode, rm], {
        stdio: "inherit",
        execArgv: [...process.execArgv, "--single-threaded-gc"],
      });
      pairs.push({ mode, rm, child, samples: [] });
      await nextMessage(child);
    }
  }
  const run = async (pair: Pair, n: number) => {
    const reply = nextMessage<Sample>(pair.child);
    pair.child.send({ run: n });
    return reply;
  };
  // Warm-up: JIT every path and bring the summary kernels' handle stores to their steady state
  // (at most 10 000 handles; beyond that each store evicts the oldest), then the measured rounds.
  for (const pair of pairs) await run(pair, Math.max(perRound * 3, 12_000));
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < pairs.length; i++) {
      const pair = pairs[(i + r) % pairs.length] as Pair;
      pair.samples.push(await run(pair, perRound));
    }
  }
  for (const pair of pairs) pair.child.send({ stop: true });
  report(pairs, rounds, perRound);
}

function report(pairs: Pair[], rounds: number, perRound: number): void {
  const samples = (rm: ResponseMode, mode: Mode, kind: keyof Sample) =>
    pairs.find((p) => p.rm === rm && p.mode === mode)?.samples.map((s) => s[kind]) ?? [];
  const us = (rm: ResponseMode, mode: Mode, kind: keyof Sample) => median(samples(rm, mode, kind));
  const pct = (x: number) => `${x >= 0 ? "+" : ""}${(x * 100).toFixed(1)}%`;
  const LABELS: Record<Mode, string> = {
    baseline: "uninstrumented (disabled)",
    sdk: "instrumented, SDK 3 + BSP (no-op exporter)",
    "no-sdk": "instrumented, no-op API (no SDK)",
    "baseline-2": "  ref: uninstrumented again (A/A noise)",
    "channel-floor": "  ref: empty channel subscriber",
    "sdk-idle": "  ref: SDK context manager only",
    "span-floor": "  ref: one bare SDK span per invoke",
  };
  console.log(
    `instrumentation-overhead: ${rounds} interleaved rounds x ${perRound} invokes of a no-op capability per (mode, response mode), one process each; medians; node ${process.version}`,
  );
  console.log(
    "overhead = (µs per invoke in the mode) / (µs per invoke uninstrumented) - 1; by median CPU time (the verdict) and median wall time",
  );
  const verdicts: string[] = [];
  for (const rm of RESPONSE_MODES) {
    const primary = rm === PRIMARY;
    console.log(
      `\nresponse mode "${rm}"${primary ? " (the kernel's default; targets apply)" : " (admin-only, no handle stored; for comparison)"}`,
    );
    console.log(
      `${"mode".padEnd(42)}${"cpu µs".padStart(8)}${"wall µs".padStart(8)}${"ratio cpu".padStart(10)}${"ratio wall".padStart(11)}${"ovh cpu".padStart(9)}${"ovh wall".padStart(9)}  target`,
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
        if (primary)
          verdicts.push(
            `${mode} ${pct(cpu / baseCpu - 1)} vs <= ${(target * 100).toFixed(0)}%: ${met ? "target met" : "target NOT met"}`,
          );
      }
      const base = mode === "baseline";
      console.log(
        `${LABELS[mode].padEnd(42)}${cpu.toFixed(2).padStart(8)}${wall.toFixed(2).padStart(8)}${(cpu / baseCpu).toFixed(3).padStart(10)}${(wall / baseWall).toFixed(3).padStart(11)}${(base ? "-" : pct(cpu / baseCpu - 1)).padStart(9)}${(base ? "-" : pct(wall / baseWall - 1)).padStart(9)}  ${verdict}`,
      );
    }
    const added = us(rm, "sdk", "cpu") - baseCpu;
    const floor = us(rm, "span-floor", "cpu") - baseCpu;
    console.log(
      `  sdk mode adds ${added.toFixed(2)} µs CPU per invoke; one bare SDK span alone adds ${floor.toFixed(2)} µs (${pct(floor / baseCpu)} of this invoke)`,
    );
    const channel = us(rm, "channel-floor", "cpu") - baseCpu;
    const aa = us(rm, "baseline-2", "cpu") - baseCpu;
    console.log(
      `  no-sdk mode adds ${(us(rm, "no-sdk", "cpu") - baseCpu).toFixed(2)} µs; an empty subscriber (the kernel publishing its channel events) adds ${channel.toFixed(2)} µs (${pct(channel / baseCpu)}); A/A noise ${pct(aa / baseCpu)}`,
    );
    if (primary && floor / baseCpu > TARGETS.sdk)
      console.log(
        `  floor: one bare span already costs ${pct(floor / baseCpu)} > the ${(TARGETS.sdk * 100).toFixed(0)}% sdk target, so no span-per-invoke instrumentation can meet it on this invoke`,
      );
  }
  console.log(`\nresult (${PRIMARY} mode, CPU time): ${verdicts.join("; ")}`);
}

if (process.argv[2] === "--worker") {
  await worker(process.argv[3] as Mode, process.argv[4] as ResponseMode);
} else {
  await parent(Number(process.argv[2] ?? 25), Number(process.argv[3] ?? 5000));
}
