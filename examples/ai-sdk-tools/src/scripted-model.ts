// A deterministic stand-in for an LLM, built on the AI SDK's own MockLanguageModelV4 (`ai/test`):
// it plans tool calls step by step and, at the end, writes an answer from the tool results it
// was given, so what the "model" says depends on what the kernel allowed.

import { MockLanguageModelV4 } from "ai/test";

type Prompt = Parameters<MockLanguageModelV4["doGenerate"]>[0]["prompt"];

const USAGE = {
  inputTokens: { total: 50, noCache: 50, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: 20, text: 20, reasoning: undefined },
};

/** Tool calls the model makes at each step (step n = after n assistant turns). */
export type Plan = Array<Array<{ toolName: string; input: Record<string, unknown> }>>;

const PLAN: Plan = [
  [
    { toolName: "read_customer", input: { customer_id: 42 } },
    { toolName: "list_orders", input: { customer_id: 42 } },
  ],
  [
    { toolName: "update_email", input: { customer_id: 42, email: "ada@new.example.com" } },
    { toolName: "delete_customer", input: { customer_id: 99 } },
  ],
];

/** Summarizes every tool result in the conversation: `tool: status[ reason]`. */
function summarize(prompt: Prompt): string {
  const lines: string[] = [];
  for (const message of prompt) {
    if (message.role !== "tool") continue;
    for (const part of message.content) {
      if (part.type !== "tool-result") continue;
      const value = part.output.type === "json" ? (part.output.value as Record<string, unknown>) : {};
      const reason = typeof value["reason"] === "string" ? ` (${value["reason"]})` : "";
      lines.push(`${part.toolName}: ${String(value["status"])}${reason}`);
    }
  }
  return `Done. Tool results:\n${lines.join("\n")}`;
}

/** A model that makes `plan`'s tool calls step by step, then answers from the results. */
export function scriptedModel(plan: Plan = PLAN): MockLanguageModelV4 {
  let callId = 0;
  return new MockLanguageModelV4({
    modelId: "weft-scripted-planner",
    doGenerate: async ({ prompt }) => {
      const step = prompt.filter((m) => m.role === "assistant").length;
      const calls = plan[step];
      if (calls) {
        return {
          content: calls.map((c) => ({
            type: "tool-call" as const,
            toolCallId: `call-${++callId}`,
            toolName: c.toolName,
            input: JSON.stringify(c.input),
          })),
          finishReason: { unified: "tool-calls" as const, raw: undefined },
          usage: USAGE,
          warnings: [],
        };
      }
      return {
        content: [{ type: "text" as const, text: summarize(prompt) }],
        finishReason: { unified: "stop" as const, raw: undefined },
        usage: USAGE,
        warnings: [],
      };
    },
  });
}
