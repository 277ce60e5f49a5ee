// A hand-written MCP server speaking newline-delimited JSON-RPC on stdio, for answers no SDK
// server would give: a malformed tools/call result, a call that never returns, a duplicate
// capability name. Real process, real pipe; only the protocol handling is minimal.

import { createInterface } from "node:readline";

const tools = [
  {
    name: "malformed",
    description: "Answers with content that is not a list.",
    inputSchema: { type: "object" },
  },
  { name: "hang", description: "Never answers.", inputSchema: { type: "object" } },
  { name: "fine", description: "Answers normally.", inputSchema: { type: "object" } },
];
const prefix = process.argv[2] ?? "";
if (prefix === "--collide")
  tools.push({ name: "taken", description: "Collides.", inputSchema: { type: "object" } });

function send(message: unknown): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() === "") continue;
  const msg = JSON.parse(line) as { id?: number | string; method?: string; params?: Record<string, unknown> };
  if (msg.id === undefined) continue;
  switch (msg.method) {
    case "initialize":
      send({
        jsonrpc: "2.0",
        id: msg.id,
        result: {
          protocolVersion: (msg.params?.["protocolVersion"] as string) ?? "2025-06-18",
          capabilities: { tools: {} },
          serverInfo: { name: "weft-raw", version: "0.0.1" },
        },
      });
      break;
    case "tools/list":
      send({ jsonrpc: "2.0", id: msg.id, result: { tools } });
      break;
    case "tools/call": {
      const name = (msg.params?.["name"] as string) ?? "";
      if (name === "hang") break;
      if (name === "malformed") send({ jsonrpc: "2.0", id: msg.id, result: { content: "not a list" } });
      else send({ jsonrpc: "2.0", id: msg.id, result: { content: [{ type: "text", text: "ok" }] } });
      break;
    }
    default:
      send({ jsonrpc: "2.0", id: msg.id, error: { code: -32601, message: "Method not found" } });
  }
}
