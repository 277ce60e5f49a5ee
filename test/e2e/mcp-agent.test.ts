// examples/mcp-agent run as a user runs it: an AI SDK agent whose tools come from an MCP server
// (a stdio child process). Every model tool call must be a kernel action in the chained store,
// the DESTRUCTIVE tool denied, the spans mirrored, and the server's own spans in the same traces
// as the client's execute_tool spans.

import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore } from "@weft/chained-store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "./support/collector.js";
import { ensureWorkspaceBuilt } from "./support/demo.js";

const SECRET = "e2e-mcp-agent-secret-0123456789abcd";
let work = "";

beforeAll(() => {
  ensureWorkspaceBuilt();
  work = mkdtempSync(join(tmpdir(), "weft-e2e-mcp-agent-"));
}, 600_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

interface McpAgentReport {
  toolResults: Array<{ tool: string; result: { status: string; reason?: string } }>;
  capabilities: Array<{ id: string; safetyClass: string; sha256: string }>;
  store: string;
}

describe("examples/mcp-agent", () => {
  it("governs and traces the MCP server's tools end to end", () => {
    const out = join(work, "out");
    const reportPath = join(work, "report.json");
    const run = spawnSync(
      process.execPath,
      [join(REPO_ROOT, "examples/mcp-agent/src/main.ts"), "--out", out, "--report-json", reportPath],
      { cwd: REPO_ROOT, encoding: "utf8", env: { ...process.env, WEFT_SECRET: SECRET }, timeout: 120_000 },
    );
    expect(run.status, run.stderr).toBe(0);
    const report = JSON.parse(readFileSync(reportPath, "utf8")) as McpAgentReport;
    expect(report.toolResults.map((r) => [r.tool, r.result.status, r.result.reason ?? null])).toEqual([
      ["lookup_order", "ok", null],
      ["refund_order", "ok", null],
      ["purge_orders", "denied", "missing_role"],
    ]);
    // Safety classes come from the trusted server's annotations.
    expect(Object.fromEntries(report.capabilities.map((c) => [c.id, c.safetyClass]))).toEqual({
      "orders.lookup_order": "READ",
      "orders.refund_order": "WRITE",
      "orders.purge_orders": "DESTRUCTIVE",
    });

    const store = openStore({ path: report.store, secret: SECRET, readonly: true });
    try {
      expect(store.verify("actions").ok).toBe(true);
      expect(store.verify("spans").ok).toBe(true);
      const actions = store.actions.listAll();
      // Recorded as they completed: the denial (at grant) can precede the parallel refund's invoke.
      const rows = actions.map((a) => [a.capabilityId, a.eventType, a.driverId]).sort();
      expect(rows).toEqual([
        ["orders.lookup_order", "invoke", "mcp:orders"],
        ["orders.purge_orders", "deny", ""],
        ["orders.refund_order", "invoke", "mcp:orders"],
      ]);
      const spans = [...store.spans.iterate()].map((r) => r.payload);
      const executeTool = spans.filter((s) => s.name.startsWith("execute_tool orders."));
      expect(executeTool).toHaveLength(2);
      for (const s of executeTool) expect(s.attributes["mcp.method.name"]).toBe("tools/call");
      // The server continued each call's trace: its span's parent is the client's execute_tool span.
      const remote = readFileSync(join(out, "server-spans.jsonl"), "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { traceId: string; parentSpanId: string });
      expect(remote).toHaveLength(2);
      for (const r of remote)
        expect(executeTool.some((s) => s.trace_id === r.traceId && s.span_id === r.parentSpanId)).toBe(true);
    } finally {
      store.close();
    }
  });
});
