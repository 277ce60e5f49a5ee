// A small agent runtime: a planner turns a task into tool calls, and an executor runs each call
// through the kernel (grant, then invoke; expand when the result is a handle). Each task runs
// under an `invoke_agent` span, so the kernel's grant/execute_tool/expand spans and the HTTP
// client spans they cause form one trace per task. The agent copes with denials the way a real
// one must: it records them, tries a better-justified request when the policy says so, and
// escalates what it may not do.

import { SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import type { Kernel, Principal, ResponseMode } from "@weft/kernel";
import { DenialReason, ReasonedWeftError, WeftError } from "@weft/kernel";
import { TOOL } from "./tools.ts";

export const AGENT_NAME = "support-agent";

/** One planned tool call. */
export interface ToolCall {
  tool: string;
  goal: string;
  args: Record<string, unknown>;
  responseMode?: ResponseMode;
  justification?: string;
  /** When the policy denies for `insufficient_justification`, ask once more with this one. */
  retryJustification?: string;
  /** Expand the returned handle with this page (a follow-up read of a large result). */
  expand?: { limit: number; fields: string[] };
  /** Fill args from an earlier step's expanded rows (e.g. the first open order id). */
  argsFrom?: (previous: StepResult[]) => Record<string, unknown>;
}

export interface Task {
  id: string;
  goal: string;
  plan: ToolCall[];
}

export interface StepResult {
  taskId: string;
  tool: string;
  outcome: "ok" | "denied" | "failed";
  /** Stable code: policy reason code on a denial, WeftError code on a failure. */
  code: string | null;
  actionId: string | null;
  rows: Record<string, unknown>[];
  expanded: boolean;
}

const tracer = trace.getTracer("weft-example-agent-runtime", "0.1.0");

/** Deterministic planner standing in for the LLM: the same goals always give the same plan. */
export function planTasks(count: number): Task[] {
  const templates: Array<(n: number) => Task> = [
    (n) => ({
      id: `task-${n}`,
      goal: "Where is customer 42's open order?",
      plan: [
        { tool: TOOL.readCustomer, goal: "identify the customer", args: { customer_id: 42 } },
        {
          tool: TOOL.listOrders,
          goal: "find open orders",
          args: { customer_id: 42 },
          responseMode: "handle_only",
          expand: { limit: 5, fields: ["order_id", "status"] },
        },
        {
          tool: TOOL.trackShipment,
          goal: "track the open order",
          args: {},
          argsFrom: (previous) => {
            const rows = previous.flatMap((p) => p.rows);
            const open = rows.find((r) => r["status"] === "open") ?? rows[0];
            return { order_id: String(open?.["order_id"] ?? "A-1001") };
          },
        },
      ],
    }),
    (n) => ({
      id: `task-${n}`,
      goal: "Customer 42 asked to change their email address",
      plan: [
        { tool: TOOL.readCustomer, goal: "confirm the customer", args: { customer_id: 42 } },
        // A lazy first justification: the policy wants at least 15 characters for a write.
        {
          tool: TOOL.updateEmail,
          goal: "update the email",
          args: { customer_id: 42, email: `ada+${n}@example.com` },
          justification: "asked",
          retryJustification: "Customer verified by support ticket T-4711 and asked for the email change",
        },
      ],
    }),
    (n) => ({
      id: `task-${n}`,
      goal: "Remove the duplicate record of customer 42",
      plan: [
        { tool: TOOL.readCustomer, goal: "inspect the duplicate", args: { customer_id: 99 } },
        {
          tool: TOOL.deleteCustomer,
          goal: "delete the duplicate",
          args: { customer_id: 99 },
          justification: "Record 99 duplicates customer 42 (same name, older email address)",
        },
      ],
    }),
  ];
  return Array.from({ length: count }, (_, i) => {
    const template = templates[i % templates.length];
    if (!template) throw new RangeError("no task template");
    return template(i + 1);
  });
}

/** Stable code of a kernel failure; anything that is not a WeftError is a bug and propagates. */
function codeOf(error: unknown): string {
  if (error instanceof ReasonedWeftError && error.reasonCode) return error.reasonCode;
  if (error instanceof WeftError) return error.code;
  throw error;
}

async function runCall(
  kernel: Kernel,
  principal: Principal,
  task: Task,
  call: ToolCall,
  previous: StepResult[],
): Promise<StepResult> {
  const result: StepResult = {
    taskId: task.id,
    tool: call.tool,
    outcome: "ok",
    code: null,
    actionId: null,
    rows: [],
    expanded: false,
  };
  const args = { ...call.args, ...(call.argsFrom ? call.argsFrom(previous) : {}) };
  let grant: ReturnType<Kernel["grantCapability"]>;
  try {
    grant = kernel.grantCapability(
      { capabilityId: call.tool, goal: call.goal, constraints: {} },
      principal,
      call.justification === undefined ? {} : { justification: call.justification },
    );
  } catch (error) {
    return { ...result, outcome: "denied", code: codeOf(error) };
  }
  try {
    const frame = await kernel.invoke(grant.token, {
      principal,
      args,
      responseMode: call.responseMode ?? "summary",
    });
    result.actionId = frame.actionId;
    result.rows = frame.tablePreview;
    if (call.expand && frame.handle) {
      const page = kernel.expand(frame.handle, {
        query: { offset: 0, limit: call.expand.limit, fields: call.expand.fields, filter: {} },
        principal,
      });
      result.rows = page.tablePreview;
      result.expanded = true;
    }
    return result;
  } catch (error) {
    return { ...result, outcome: "failed", code: codeOf(error) };
  }
}

/** Runs one task under an `invoke_agent` span; never throws for a denied or failed tool call. */
export async function runTask(
  kernel: Kernel,
  principal: Principal,
  task: Task,
): Promise<{ traceId: string; steps: StepResult[] }> {
  return tracer.startActiveSpan(
    `invoke_agent ${AGENT_NAME}`,
    {
      kind: SpanKind.INTERNAL,
      attributes: {
        "gen_ai.operation.name": "invoke_agent",
        "gen_ai.agent.name": AGENT_NAME,
        "gen_ai.conversation.id": task.id,
        "weft.principal.id": principal.principalId,
      },
    },
    async (span) => {
      const results: StepResult[] = [];
      try {
        for (const call of task.plan) {
          let step = await runCall(kernel, principal, task, call, results);
          results.push(step);
          if (
            step.outcome === "denied" &&
            step.code === DenialReason.INSUFFICIENT_JUSTIFICATION &&
            call.retryJustification
          ) {
            step = await runCall(
              kernel,
              principal,
              task,
              { ...call, justification: call.retryJustification },
              results,
            );
            results.push(step);
          }
          // After a successful retry the earlier denial is handled; after a destructive denial
          // the agent stops and hands the task to a human.
          if (step.outcome === "denied" && call.tool === TOOL.deleteCustomer) {
            span.addEvent("escalated_to_human", { "weft.reason_code": step.code ?? "" });
            break;
          }
        }
        const failed = results.filter((r) => r.outcome === "failed").length;
        span.setAttribute("weft.agent.tool_calls", results.length);
        span.setStatus(
          failed > 0
            ? { code: SpanStatusCode.ERROR, message: `${failed} tool call(s) failed` }
            : { code: SpanStatusCode.OK },
        );
        return { traceId: span.spanContext().traceId, steps: results };
      } finally {
        span.end();
      }
    },
  );
}
