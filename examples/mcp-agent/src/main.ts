// An AI SDK agent whose tools come from an MCP server, governed and traced by Weft. The server runs
// as a stdio child process; registerMcpServer turns its tools into kernel capabilities (pinned
// definitions, safety from the server's annotations because we mark it trusted), and every call
// the model makes is granted, invoked through the kernel's MCP driver, recorded in the actions
// chain and traced — with the server continuing the trace from `_meta`. Offline: the model is the
// AI SDK's scripted mock. Run with `scripts/dev example mcp-agent` (store in
// $WEFT_DEMO_DIR/mcp-agent, default .weft-demo/mcp-agent/).

import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Client } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { context, propagation, SpanStatusCode, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { TracerProvider } from "@opentelemetry/sdk-trace";
import { openStore } from "@weft/chained-store";
import { KernelInstrumentation } from "@weft/instrumentation-kernel";
import { CapabilityRegistry, HmacTokenProvider, Kernel, type Principal } from "@weft/kernel";
import { registerMcpServer } from "@weft/mcp";
import { ChainedSpanProcessor } from "@weft/span-processor-chained";
import { generateText, isStepCount, type JSONSchema7, type Tool } from "ai";
import { type GovernedResult, governedTool } from "../../ai-sdk-tools/src/governed-tool.ts";
import { scriptedModel } from "../../ai-sdk-tools/src/scripted-model.ts";

const { values } = parseArgs({
  options: { out: { type: "string" }, "report-json": { type: "string" } },
  strict: true,
});
const outDir = resolve(values.out ?? join(process.env["WEFT_DEMO_DIR"] ?? ".weft-demo", "mcp-agent"));
mkdirSync(outDir, { recursive: true });
const storePath = join(outDir, "weft.db");
const serverSpans = join(outDir, "server-spans.jsonl");
for (const p of [storePath, `${storePath}-wal`, `${storePath}-shm`, serverSpans]) rmSync(p, { force: true });
const secret = process.env["WEFT_SECRET"] || randomBytes(32).toString("hex");
writeFileSync(join(outDir, "secret"), `${secret}\n`, { mode: 0o600 });

// --- telemetry: spans mirrored into the audit store, W3C context into MCP `_meta` ------------
const store = openStore({ path: storePath, secret });
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
propagation.setGlobalPropagator(new W3CTraceContextPropagator());
const provider = new TracerProvider({ spanProcessors: [new ChainedSpanProcessor({ store })] });
trace.setGlobalTracerProvider(provider);
const instrumentation = new KernelInstrumentation({ tracerProvider: provider });

// --- kernel with the MCP server's tools as capabilities ------------------------------------
const kernel = new Kernel({
  registry: new CapabilityRegistry(),
  kernelId: "mcp-agent",
  traceStore: store.actions,
  tokenProvider: new HmacTokenProvider({ secret, revocationStore: store.revocations() }),
});
const serverScript = join(dirname(fileURLToPath(import.meta.url)), "orders-server.ts");
const client = new Client({ name: "weft-mcp-agent", version: "1.0.0" });
await client.connect(
  new StdioClientTransport({ command: process.execPath, args: [serverScript, "--spans", serverSpans] }),
);
// Trusted: the server's annotations decide safety (read-only → READ, non-destructive → WRITE,
// anything else DESTRUCTIVE). For a server you do not control, pass `safety` explicitly instead.
const orders = await registerMcpServer(kernel, client, { server: "orders", trusted: true });

const principal: Principal = {
  principalId: "mcp-agent-1",
  roles: ["writer"],
  attributes: { tenant: "acme" },
};
const tools: Record<string, Tool<Record<string, unknown>, GovernedResult>> = {};
for (const capabilityId of orders.capabilityIds) {
  const tool = orders.toolFor(capabilityId);
  if (tool === undefined) continue;
  tools[tool.name] = governedTool({
    kernel,
    principal,
    capabilityId,
    description: tool.description ?? tool.name,
    inputSchema: (tool.inputSchema ?? { type: "object" }) as JSONSchema7,
    justification: "Customer Ada asked for a refund of order A-1001 in ticket #8812",
    responseMode: "table",
  });
}

// --- the agent loop -------------------------------------------------------------------------
const plan = [
  [{ toolName: "lookup_order", input: { order_id: "A-1001" } }],
  [
    { toolName: "refund_order", input: { order_id: "A-1001", amount: 120 } },
    { toolName: "purge_orders", input: { customer: "Ada" } },
  ],
];
const toolResults: Array<{ tool: string; result: GovernedResult }> = [];
const answer = await trace
  .getTracer("weft-example-mcp-agent")
  .startActiveSpan("invoke_agent mcp-agent", async (span) => {
    try {
      const result = await generateText({
        model: scriptedModel(plan),
        tools,
        stopWhen: isStepCount(5),
        prompt: "Ada wants order A-1001 refunded. Also clean up her old orders.",
      });
      for (const step of result.steps)
        for (const r of step.toolResults)
          toolResults.push({ tool: r.toolName, result: r.output as GovernedResult });
      return result.text;
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.end();
    }
  });

await client.close();
instrumentation.disable();
await provider.shutdown();
const remoteSpans = readFileSync(serverSpans, "utf8").split("\n").filter(Boolean).length;
const report = {
  answer,
  toolResults,
  capabilities: orders.capabilityIds.map((id) => ({
    id,
    safetyClass: kernel.registry.get(id).safetyClass,
    sha256: orders.pin(id)?.approved,
  })),
  stats: kernel.stats,
  actions: store.actions.count(),
  spans: store.spans.count(),
  serverSpans: remoteSpans,
  verify: { actions: store.verify("actions").ok, spans: store.verify("spans").ok },
  store: storePath,
};
store.close();

process.stdout.write(`${answer}\n\n`);
for (const c of report.capabilities)
  process.stdout.write(
    `capability ${c.id} (${c.safetyClass}), definition sha256 ${c.sha256?.slice(0, 16)}…\n`,
  );
process.stdout.write(
  `kernel: ${report.stats.grants} grants, ${report.stats.denials} denials ${JSON.stringify(report.stats.denialsByReason)}, ` +
    `${report.stats.invocations} invocations\n` +
    `store ${storePath}: ${report.actions} actions (chain ${report.verify.actions ? "OK" : "BROKEN"}), ` +
    `${report.spans} spans (chain ${report.verify.spans ? "OK" : "BROKEN"}); the MCP server recorded ${remoteSpans} spans in the same traces\n` +
    `explore: WEFT_SECRET=$(cat ${join(outDir, "secret")}) scripts/dev weft audit list --store ${storePath}\n`,
);
if (values["report-json"]) writeFileSync(values["report-json"], `${JSON.stringify(report, null, 2)}\n`);
process.exitCode = report.verify.actions && report.verify.spans ? 0 : 1;
