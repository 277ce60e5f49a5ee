// examples/ai-sdk-tools run as a user runs it: an AI SDK (`ai` v7) generateText loop whose tools
// are all governed by the kernel. Every tool call the model made must be a kernel action in the
// chained store (denials included), with its execute_tool span under the agent's span.

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore } from "@weft/chained-store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "./support/collector.js";
import { ensureWorkspaceBuilt } from "./support/demo.js";

const SECRET = "e2e-ai-sdk-tools-secret-0123456789";
let work = "";

beforeAll(() => {
  ensureWorkspaceBuilt();
  work = mkdtempSync(join(tmpdir(), "weft-e2e-ai-sdk-"));
}, 600_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

interface AiSdkReport {
  answer: string;
  toolResults: Array<{
    tool: string;
    toolCallId: string;
    result: { status: string; actionId?: string; reason?: string };
  }>;
  stats: { grants: number; denials: number; invocations: number; denialsByReason: Record<string, number> };
  store: string;
}

describe("AI SDK tool calls governed by the kernel", () => {
  it("every model tool call is a kernel action in the chained store, and the denial reaches the model", () => {
    const reportPath = join(work, "report.json");
    const run = spawnSync(
      process.execPath,
      [
        join(REPO_ROOT, "examples/ai-sdk-tools/src/main.ts"),
        "--out",
        join(work, "out"),
        "--report-json",
        reportPath,
      ],
      { cwd: REPO_ROOT, encoding: "utf8", env: { ...process.env, WEFT_SECRET: SECRET }, timeout: 120_000 },
    );
    expect(run.status, run.stderr).toBe(0);
    const report = JSON.parse(readFileSync(reportPath, "utf8")) as AiSdkReport;

    expect(report.toolResults.map((r) => [r.tool, r.result.status, r.result.reason ?? null])).toEqual([
      ["read_customer", "ok", null],
      ["list_orders", "ok", null],
      ["update_email", "ok", null],
      ["delete_customer", "denied", "missing_role"],
    ]);
    // The model's answer is built from the tool results it received, denial included.
    expect(report.answer).toContain("delete_customer: denied (missing_role)");
    expect(report.stats).toMatchObject({
      grants: 3,
      denials: 1,
      invocations: 3,
      denialsByReason: { missing_role: 1 },
    });

    const store = openStore({ path: report.store, secret: SECRET, readonly: true });
    try {
      expect(store.verify("actions").ok).toBe(true);
      expect(store.verify("spans").ok).toBe(true);
      const actions = [...store.actions.iterate()].map((r) => r.payload);
      // The AI SDK runs the tool calls of one step concurrently: compare without order.
      expect(actions.map((a) => `${a.capabilityId} ${a.eventType} ${a.reasonCode ?? "-"}`).sort()).toEqual([
        "crm.delete_customer deny missing_role",
        "crm.list_orders invoke -",
        "crm.read_customer invoke -",
        "crm.update_customer_email invoke -",
      ]);
      const okIds = report.toolResults.flatMap((r) => (r.result.actionId ? [r.result.actionId] : []));
      const invokeIds = actions.filter((a) => a.eventType === "invoke").map((a) => a.actionId);
      expect(invokeIds.sort()).toEqual([...okIds].sort());

      const spans = [...store.spans.iterate()].map((r) => r.payload);
      const agent = spans.find((s) => s.name === "invoke_agent ai-sdk-agent");
      expect(agent).toBeDefined();
      const toolSpans = spans.filter((s) => s.name.startsWith("execute_tool "));
      // Weft's action id joins span and record; the model's own call id is gen_ai.tool.call.id.
      expect(toolSpans.map((s) => String(s.attributes["weft.action.id"])).sort()).toEqual([...okIds].sort());
      const okCallIds = report.toolResults.filter((r) => r.result.status === "ok").map((r) => r.toolCallId);
      expect(okCallIds.every((id) => id.startsWith("call-"))).toBe(true);
      expect(toolSpans.map((s) => String(s.attributes["gen_ai.tool.call.id"])).sort()).toEqual(
        okCallIds.sort(),
      );
      for (const s of toolSpans) {
        expect(s.attributes["gen_ai.agent.name"]).toBe("ai-sdk-agent");
        expect(s.attributes["gen_ai.conversation.id"]).toBe("conv-ai-sdk-1");
      }
      // The records carry the same call id and agent (the grant denial has the agent, no call id).
      const byAction = new Map(actions.map((a) => [a.actionId, a]));
      for (const s of toolSpans) {
        const record = byAction.get(String(s.attributes["weft.action.id"]));
        expect(record?.toolCallId).toBe(s.attributes["gen_ai.tool.call.id"]);
      }
      expect(actions.every((a) => a.agentName === "ai-sdk-agent")).toBe(true);
      for (const s of [...toolSpans, ...spans.filter((x) => x.name.startsWith("grant_capability "))]) {
        expect(s.trace_id).toBe(agent?.trace_id);
        expect(s.parent_span_id).toBe(agent?.span_id);
      }
    } finally {
      store.close();
    }

    // The new email address the model passed as an argument is redacted before it is stored.
    const bytes = [report.store, `${report.store}-wal`]
      .filter((p) => existsSync(p))
      .map((p) => readFileSync(p).toString("latin1"))
      .join("");
    expect(bytes).toContain("crm.update_customer_email");
    expect(bytes).not.toContain("ada@new.example.com");
  });
});
