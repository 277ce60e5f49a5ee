// Weft governing the tool calls of an AI SDK (`ai` v7) agent loop. The model (a scripted mock
// from `ai/test`, so the example runs offline) decides which tools to call; every call goes
// through the kernel, lands in the tamper-evident store's actions chain, and its spans are
// mirrored into the spans chain. Run after `pnpm run build`:
//
//   node examples/ai-sdk-tools/src/main.ts [--out DIR] [--report-json FILE]

import { randomBytes } from "node:crypto";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { context, SpanStatusCode, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { TracerProvider } from "@opentelemetry/sdk-trace";
import { openStore } from "@weft/chained-store";
import { KernelInstrumentation } from "@weft/instrumentation-kernel";
import {
  CapabilityRegistry,
  FunctionDriver,
  HmacTokenProvider,
  Kernel,
  type Principal,
  withAgent,
} from "@weft/kernel";
import { ChainedSpanProcessor } from "@weft/span-processor-chained";
import { generateText, isStepCount } from "ai";
import { type GovernedResult, governedTool } from "./governed-tool.ts";
import { scriptedModel } from "./scripted-model.ts";

const { values } = parseArgs({
  options: { out: { type: "string" }, "report-json": { type: "string" } },
  strict: true,
});
const outDir = resolve(values.out ?? join(process.env["WEFT_DEMO_DIR"] ?? ".weft-demo", "ai-sdk-tools"));
mkdirSync(outDir, { recursive: true });
const storePath = join(outDir, "weft.db");
for (const p of [storePath, `${storePath}-wal`, `${storePath}-shm`]) rmSync(p, { force: true });
// Same secret for tokens and both chains; pass WEFT_SECRET to verify the store later.
const secret = process.env["WEFT_SECRET"] || randomBytes(32).toString("hex");

// --- telemetry: spans mirrored into the audit store ----------------------------------------
const store = openStore({ path: storePath, secret });
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const provider = new TracerProvider({ spanProcessors: [new ChainedSpanProcessor({ store })] });
trace.setGlobalTracerProvider(provider);
const instrumentation = new KernelInstrumentation({ tracerProvider: provider });

// --- kernel: capabilities, drivers, the agent's principal ----------------------------------
const registry = new CapabilityRegistry();
registry.register({
  capabilityId: "crm.read_customer",
  name: "Read customer",
  description: "Customer profile",
  safetyClass: "READ",
  sensitivity: "PII",
  allowedFields: ["id", "name", "tier"],
});
registry.register({
  capabilityId: "crm.list_orders",
  name: "List orders",
  description: "A customer's orders",
  safetyClass: "READ",
});
registry.register({
  capabilityId: "crm.update_customer_email",
  name: "Update email",
  description: "Change a customer's email",
  safetyClass: "WRITE",
});
registry.register({
  capabilityId: "crm.delete_customer",
  name: "Delete customer",
  description: "Delete a customer",
  safetyClass: "DESTRUCTIVE",
});
const kernel = new Kernel({
  registry,
  kernelId: "ai-sdk-agent",
  traceStore: store.actions,
  tokenProvider: new HmacTokenProvider({ secret, revocationStore: store.revocations() }),
});
const customers = new Map<number, Record<string, unknown>>([
  [42, { id: 42, name: "Ada Lovelace", email: "ada@example.com", tier: "gold" }],
  [99, { id: 99, name: "Ada Lovelace (duplicate)", email: "ada+old@example.com", tier: "none" }],
]);
kernel.registerDriver(
  new FunctionDriver("crm", {
    "crm.read_customer": (args) => customers.get(Number(args["customer_id"])) ?? {},
    "crm.list_orders": (args) =>
      Array.from({ length: 6 }, (_, i) => ({
        order_id: `A-${1001 + i}`,
        customer_id: Number(args["customer_id"]),
        total: 20 + i,
      })),
    "crm.update_customer_email": (args) => {
      const c = customers.get(Number(args["customer_id"]));
      if (c) c["email"] = args["email"];
      return { updated: c ? 1 : 0 };
    },
    "crm.delete_customer": (args) => ({ deleted: customers.delete(Number(args["customer_id"])) ? 1 : 0 }),
  }),
);
const principal: Principal = {
  principalId: "ai-sdk-agent-1",
  roles: ["writer"],
  attributes: { tenant: "acme" },
};

const customerId = {
  type: "object",
  properties: { customer_id: { type: "integer" } },
  required: ["customer_id"],
} as const;
const tools = {
  read_customer: governedTool({
    kernel,
    principal,
    capabilityId: "crm.read_customer",
    description: "Read a customer profile",
    inputSchema: customerId,
  }),
  list_orders: governedTool({
    kernel,
    principal,
    capabilityId: "crm.list_orders",
    description: "List a customer's orders",
    inputSchema: customerId,
    responseMode: "table",
  }),
  update_email: governedTool({
    kernel,
    principal,
    capabilityId: "crm.update_customer_email",
    description: "Change a customer's email address",
    inputSchema: {
      type: "object",
      properties: { customer_id: { type: "integer" }, email: { type: "string" } },
      required: ["customer_id", "email"],
    },
    justification: "Customer confirmed the new address in support chat #5521",
  }),
  delete_customer: governedTool({
    kernel,
    principal,
    capabilityId: "crm.delete_customer",
    description: "Delete a customer record",
    inputSchema: customerId,
    justification: "Record 99 duplicates customer 42 and should be removed",
  }),
};

// --- the agent loop -----------------------------------------------------------------------
const toolResults: Array<{ tool: string; toolCallId: string; result: GovernedResult }> = [];
const tracer = trace.getTracer("weft-example-ai-sdk-tools");
const answer = await tracer.startActiveSpan("invoke_agent ai-sdk-agent", async (span) => {
  try {
    // Every kernel call inside this agent step records the agent (spans: gen_ai.agent.*).
    const result = await withAgent({ name: "ai-sdk-agent", conversationId: "conv-ai-sdk-1" }, () =>
      generateText({
        model: scriptedModel(),
        tools,
        stopWhen: isStepCount(5),
        prompt:
          "Customer 42 wants their email changed to ada@new.example.com, and remove duplicate record 99.",
      }),
    );
    for (const step of result.steps) {
      for (const r of step.toolResults)
        toolResults.push({ tool: r.toolName, toolCallId: r.toolCallId, result: r.output as GovernedResult });
    }
    return result.text;
  } catch (error) {
    span.setStatus({ code: SpanStatusCode.ERROR });
    throw error;
  } finally {
    span.end();
  }
});

instrumentation.disable();
await provider.shutdown();
const report = {
  answer,
  toolResults,
  stats: kernel.stats,
  actions: store.actions.count(),
  spans: store.spans.count(),
  verify: { actions: store.verify("actions").ok, spans: store.verify("spans").ok },
  store: storePath,
};
store.close();

process.stdout.write(`${answer}\n\n`);
process.stdout.write(
  `kernel: ${report.stats.grants} grants, ${report.stats.denials} denials ${JSON.stringify(report.stats.denialsByReason)}, ` +
    `${report.stats.invocations} invocations\n` +
    `store ${storePath}: ${report.actions} actions (chain ${report.verify.actions ? "OK" : "BROKEN"}), ` +
    `${report.spans} spans (chain ${report.verify.spans ? "OK" : "BROKEN"})\n`,
);
if (values["report-json"]) writeFileSync(values["report-json"], `${JSON.stringify(report, null, 2)}\n`);
process.exitCode = report.verify.actions && report.verify.spans ? 0 : 1;
