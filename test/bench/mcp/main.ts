// Benchmark: a governed MCP tools/call over stdio against the bare SDK client's callTool to the same
// server process, measured in one run with interleaved rounds. Target: governed latency ≤ 1.10× the
// bare call's. Modes:
//   bare        client.callTool(...) (v2 SDK), the baseline
//   invoke      kernel.invoke of a granted token through the MCP driver (token reused)
//   grant+invoke  a fresh grant per call, then invoke — what an agent's tool adapter does
//   traced      grant+invoke with the OTel SDK recording spans (BatchSpanProcessor, no-op exporter)
// Run: pnpm run build && node test/bench/mcp/main.ts [rounds] [callsPerRound]

import { join } from "node:path";
import { Client } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { context, propagation, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { BatchSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { KernelInstrumentation } from "@weft/instrumentation-kernel";
import { CapabilityRegistry, DefaultPolicyEngine, Kernel } from "@weft/kernel";
import { registerMcpServer } from "@weft/mcp";

const ROUNDS = Number(process.argv[2] ?? 9);
const PER_ROUND = Number(process.argv[3] ?? 300);
const TARGET = 1.1;
const SERVER = join(
  import.meta.dirname,
  "..",
  "..",
  "..",
  "packages",
  "mcp",
  "test",
  "servers",
  "tool-server.ts",
);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
};

const client = new Client({ name: "weft-bench", version: "1.0.0" });
await client.connect(new StdioClientTransport({ command: process.execPath, args: [SERVER] }));
// The default policy, with a rate limit the benchmark's call rate never reaches.
const kernel = new Kernel({
  registry: new CapabilityRegistry(),
  secret: "mcp-bench-secret-0123456789abcdef",
  policy: new DefaultPolicyEngine({ rateLimits: { READ: [1e9, 0.001] } }),
});
await registerMcpServer(kernel, client, { server: "bench", safety: { echo: "READ" } });
const principal = { principalId: "bench-agent", roles: ["reader"] };
const args = { text: "benchmark payload" };
const request = { capabilityId: "bench.echo", goal: "bench" };
const token = kernel.grantCapability(request, principal).token;

const modes: Record<string, () => Promise<unknown>> = {
  bare: () => client.callTool({ name: "echo", arguments: args }),
  invoke: () => kernel.invoke(token, { principal, args }),
  "grant+invoke": () => kernel.invoke(kernel.grantCapability(request, principal).token, { principal, args }),
};

/** Wall-clock and this process's CPU time per call, in µs (CPU excludes the server process). */
async function roundMicros(fn: () => Promise<unknown>, n: number): Promise<[number, number]> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await fn();
  const wall = ((performance.now() - t0) * 1000) / n;
  const c = process.cpuUsage(c0);
  return [wall, (c.user + c.system) / n];
}

const cpu: Record<string, number> = {};

async function measure(names: string[]): Promise<Record<string, number>> {
  const samples: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  const cpuSamples: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (const n of names) await roundMicros(modes[n] as () => Promise<unknown>, 100); // warm-up
  for (let r = 0; r < ROUNDS; r++)
    for (const n of names) {
      const [wall, c] = await roundMicros(modes[n] as () => Promise<unknown>, PER_ROUND);
      samples[n]?.push(wall);
      cpuSamples[n]?.push(c);
    }
  for (const n of names)
    cpu[n === "bare" && names.includes("traced") ? "bare(traced run)" : n] = median(cpuSamples[n] ?? []);
  return Object.fromEntries(names.map((n) => [n, median(samples[n] ?? [])]));
}

const plain = await measure(["bare", "invoke", "grant+invoke"]);

// The same with the OpenTelemetry SDK recording every span (and injecting traceparent into _meta).
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
propagation.setGlobalPropagator(new W3CTraceContextPropagator());
const provider = new TracerProvider({
  spanProcessors: [
    new BatchSpanProcessor({
      exporter: { export: (_s, done) => done({ code: 0 }), shutdown: async () => {} },
    }),
  ],
});
trace.setGlobalTracerProvider(provider);
const instrumentation = new KernelInstrumentation({ tracerProvider: provider });
modes["traced"] = modes["grant+invoke"] as () => Promise<unknown>;
const traced = await measure(["bare", "traced"]);
instrumentation.disable();
await provider.shutdown();
await client.close();

const line = (name: string, us: number, base: number) =>
  `  ${name.padEnd(14)} ${us.toFixed(1).padStart(8)} µs/call   ${(us / base).toFixed(3)}× bare`;
console.log(`MCP tools/call over stdio, ${ROUNDS} interleaved rounds × ${PER_ROUND} calls, medians`);
console.log(line("bare", plain["bare"] as number, plain["bare"] as number));
console.log(line("invoke", plain["invoke"] as number, plain["bare"] as number));
console.log(line("grant+invoke", plain["grant+invoke"] as number, plain["bare"] as number));
console.log("with the OTel SDK recording spans:");
console.log(line("bare", traced["bare"] as number, traced["bare"] as number));
console.log(line("traced", traced["traced"] as number, traced["bare"] as number));
console.log("client-process CPU per call (server excluded; less sensitive to machine load):");
for (const [name, us] of Object.entries(cpu))
  console.log(`  ${name.padEnd(18)} ${us.toFixed(1).padStart(8)} µs`);
const ratio = (plain["grant+invoke"] as number) / (plain["bare"] as number);
console.log(
  `governed (grant+invoke) / bare = ${ratio.toFixed(3)}× — target ≤ ${TARGET}×: ${ratio <= TARGET ? "met" : "NOT met"}`,
);
