// Arize Phoenix's own converter (`@arizeai/openinference-genai`, the real npm package) run over
// the spans a real kernel and KernelInstrumentation produce, the way an OpenInference exporter
// does it (the converter's output replaces the span's attributes): tool calls come out as TOOL
// with the tool name and the model's call id, and the kernel's other spans of an agent step
// (grant, expand, revoke) as a non-LLM kind.
import { convertGenAISpanAttributesToOpenInferenceSpanAttributes } from "@arizeai/openinference-genai";
import { context } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  TracerProvider,
} from "@opentelemetry/sdk-trace";
import { KernelInstrumentation } from "@weft/instrumentation-kernel";
import { CapabilityRegistry, FunctionDriver, Kernel, type Principal, withAgent } from "@weft/kernel";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const CAPABILITY = "crm.read_customer";
const principal: Principal = { principalId: "agent-7", roles: [], attributes: {} };

function makeKernel(kernelId: string): Kernel {
  const registry = new CapabilityRegistry();
  registry.register({
    capabilityId: CAPABILITY,
    name: "Read customer",
    description: "Reads one customer record",
    safetyClass: "READ",
  });
  const kernel = new Kernel({ registry, kernelId, secret: "openinference-test-secret-0123456789" });
  kernel.registerDriver(new FunctionDriver("memory", { [CAPABILITY]: async () => [{ id: 1 }, { id: 2 }] }));
  return kernel;
}

/** One agent step: grant, invoke with the model's call id, expand the handle, revoke the token. */
async function step(kernel: Kernel): Promise<void> {
  const { token } = kernel.grantCapability({ capabilityId: CAPABILITY, goal: "look up" }, principal);
  const frame = await kernel.invoke(token, { principal, args: { id: 1 }, toolCallId: "call_oi_0001" });
  kernel.expand(frame.handle!, { query: { limit: 1 }, principal });
  kernel.revokeToken(token.tokenId);
}

const kindOf = (span: ReadableSpan) =>
  convertGenAISpanAttributesToOpenInferenceSpanAttributes({ ...span.attributes })?.[
    "openinference.span.kind"
  ];

describe("@arizeai/openinference-genai over Weft's spans", () => {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const contextManager = new AsyncLocalStorageContextManager();

  beforeAll(() => {
    context.setGlobalContextManager(contextManager.enable());
  });
  afterAll(async () => {
    context.disable();
    await provider.shutdown();
  });

  it("execute_tool is TOOL with tool name and call id; grant, expand and revoke of the step are not LLM", async () => {
    exporter.reset();
    const instrumentation = new KernelInstrumentation({ tracerProvider: provider });
    try {
      await withAgent({ name: "support-bot", id: "asst_1", conversationId: "conv_1" }, () =>
        step(makeKernel("k-oi-1")),
      );
    } finally {
      instrumentation.disable();
    }
    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => s.name).sort()).toEqual([
      `execute_tool ${CAPABILITY}`,
      `expand_handle ${CAPABILITY}`,
      `grant_capability ${CAPABILITY}`,
      "revoke_token",
    ]);
    const tool = spans.find((s) => s.name.startsWith("execute_tool"))!;
    // The converter returns null when it fails internally; that would be a failure here too.
    const converted = convertGenAISpanAttributesToOpenInferenceSpanAttributes({ ...tool.attributes }) ?? {};
    expect(converted).toMatchObject({
      "openinference.span.kind": "TOOL",
      "tool.name": CAPABILITY,
      "tool_call.id": "call_oi_0001",
      "tool.description": "Reads one customer record",
    });
    // Never an argument or result value, whatever the converter would have copied.
    expect(converted["input.value"]).toBeUndefined();
    expect(converted["output.value"]).toBeUndefined();
    for (const span of spans.filter((s) => s !== tool)) {
      expect([span.name, kindOf(span)]).not.toEqual([span.name, "LLM"]);
      expect([span.name, kindOf(span)]).toEqual([span.name, "AGENT"]);
    }
  });

  it("the instrumentation's agent option gives spans outside withAgent the same classification", async () => {
    exporter.reset();
    const instrumentation = new KernelInstrumentation({
      tracerProvider: provider,
      agent: { name: "batch-worker" },
    });
    try {
      await step(makeKernel("k-oi-2"));
    } finally {
      instrumentation.disable();
    }
    const spans = exporter.getFinishedSpans();
    expect(spans).toHaveLength(4);
    for (const span of spans) {
      const expected = span.name.startsWith("execute_tool") ? "TOOL" : "AGENT";
      expect([span.name, kindOf(span)]).toEqual([span.name, expected]);
      expect(span.attributes["gen_ai.agent.name"]).toBe("batch-worker");
    }
  });
});
