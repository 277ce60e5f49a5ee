// The MCP server the agent's tools come from: an order desk with a read tool, a write tool and a
// destructive one, built with the MCP SDK's McpServer and run by the agent as a stdio child
// process. It continues the agent's trace from `params._meta` when given a span file:
//   node orders-server.ts [--spans FILE]

import { appendFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { ROOT_CONTEXT, SpanKind } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { z } from "zod";

const { values } = parseArgs({ options: { spans: { type: "string" } } });
const spansFile = values.spans;
const provider = new TracerProvider({
  spanProcessors:
    spansFile === undefined
      ? []
      : [
          new SimpleSpanProcessor({
            exporter: {
              export(spans, done) {
                for (const s of spans)
                  appendFileSync(
                    spansFile,
                    `${JSON.stringify({ name: s.name, traceId: s.spanContext().traceId, parentSpanId: s.parentSpanContext?.spanId })}\n`,
                  );
                done({ code: 0 });
              },
              shutdown: async () => undefined,
            },
          }),
        ],
});
const tracer = provider.getTracer("orders-mcp-server");
const propagator = new W3CTraceContextPropagator();
const getter = {
  get: (c: Record<string, unknown>, k: string) => (typeof c[k] === "string" ? (c[k] as string) : undefined),
  keys: (c: Record<string, unknown>) => Object.keys(c),
};

/** A SERVER span per call, child of the caller's execute_tool span. */
async function traced<T>(tool: string, meta: Record<string, unknown> | undefined, fn: () => T): Promise<T> {
  const parent = propagator.extract(ROOT_CONTEXT, meta ?? {}, getter);
  const span = tracer.startSpan(`tools/call ${tool}`, { kind: SpanKind.SERVER }, parent);
  try {
    return fn();
  } finally {
    span.end();
  }
}

const orders = new Map([
  ["A-1001", { id: "A-1001", customer: "Ada", total: 120, status: "delivered" }],
  ["A-1002", { id: "A-1002", customer: "Ada", total: 35, status: "in transit" }],
]);

const server = new McpServer(
  { name: "orders", version: "1.0.0" },
  { capabilities: { tools: { listChanged: true } } },
);
server.registerTool(
  "lookup_order",
  {
    description: "Look up an order by id.",
    inputSchema: { order_id: z.string() },
    annotations: { readOnlyHint: true },
  },
  async ({ order_id }, extra) =>
    traced("lookup_order", extra._meta, () => {
      const order = orders.get(order_id);
      return order === undefined
        ? { isError: true, content: [{ type: "text" as const, text: `no order ${order_id}` }] }
        : { content: [{ type: "text" as const, text: JSON.stringify(order) }], structuredContent: order };
    }),
);
server.registerTool(
  "refund_order",
  {
    description: "Refund an order to the original payment method.",
    inputSchema: { order_id: z.string(), amount: z.number() },
    annotations: { destructiveHint: false },
  },
  async ({ order_id, amount }, extra) =>
    traced("refund_order", extra._meta, () => ({
      content: [{ type: "text" as const, text: `refunded ${amount} on ${order_id}` }],
      structuredContent: { order_id, refunded: amount },
    })),
);
server.registerTool(
  "purge_orders",
  { description: "Delete every order of a customer.", inputSchema: { customer: z.string() } },
  async ({ customer }, extra) =>
    traced("purge_orders", extra._meta, () => ({
      content: [{ type: "text" as const, text: `purged ${customer}` }],
    })),
);

await server.connect(new StdioServerTransport());
