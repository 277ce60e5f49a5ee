// The 0.2 options: `compat` span-kind keys (kinds only, never values), `toolSpan: "enrich"` onto a
// framework's own execute_tool span, and the `agent` fallback, on a real kernel and SDK.
import { SpanStatusCode } from "@opentelemetry/api";
import { type Kernel, withAgent } from "@weft/kernel";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InstrumentationConfigError, KernelInstrumentation } from "../src/index.js";
import { FAILING, grantRead, makeKernel, READ, reader } from "./kernel-fixture.js";
import { agentTracer, createOtel, findMetric, type Otel } from "./otel.js";

describe("instrumentation options", () => {
  let otel: Otel;
  let kernel: Kernel;
  let instrumentation: KernelInstrumentation | undefined;

  beforeEach(() => {
    otel = createOtel();
    kernel = makeKernel("k-options");
  });
  afterEach(async () => {
    instrumentation?.disable();
    await otel.shutdown();
  });

  it("compat writes each backend's span kind per operation, and no argument or result value", async () => {
    instrumentation = new KernelInstrumentation({
      tracerProvider: otel.provider,
      compat: ["openinference", "traceloop", "langfuse"],
    });
    const { token } = grantRead(kernel);
    const frame = await kernel.invoke(token, { principal: reader, args: { secretArg: "sk-ARG-canary" } });
    kernel.expand(frame.handle!, { query: { limit: 1 }, principal: reader });
    kernel.revokeToken(token.tokenId);
    const spans = await otel.spans();
    const kinds = Object.fromEntries(
      spans.map((s) => [
        s.name.split(" ")[0],
        [
          s.attributes["openinference.span.kind"],
          s.attributes["traceloop.span.kind"],
          s.attributes["traceloop.entity.name"],
          s.attributes["langfuse.observation.type"],
        ],
      ]),
    );
    expect(kinds).toEqual({
      grant_capability: ["GUARDRAIL", "task", READ, "guardrail"],
      execute_tool: ["TOOL", "tool", READ, "tool"],
      expand_handle: ["CHAIN", "task", READ, "chain"],
      revoke_token: ["CHAIN", "task", undefined, "chain"],
    });
    const text = JSON.stringify(spans.map((s) => s.attributes));
    expect(text).not.toContain("sk-ARG-canary");
    expect(text).not.toMatch(
      /"(input|output)\.value"|traceloop\.entity\.(input|output)|langfuse\.observation\.(input|output)/,
    );
  });

  it("without compat, none of those keys appear", async () => {
    instrumentation = new KernelInstrumentation({ tracerProvider: otel.provider });
    const { token } = grantRead(kernel);
    await kernel.invoke(token, { principal: reader });
    for (const s of await otel.spans()) {
      expect(
        Object.keys(s.attributes).filter((k) => /^(openinference|traceloop|langfuse)\./.test(k)),
      ).toEqual([]);
    }
  });

  it('toolSpan "enrich" fills the framework\'s own execute_tool span instead of making a second one', async () => {
    instrumentation = new KernelInstrumentation({
      tracerProvider: otel.provider,
      meterProvider: otel.meterProvider,
      toolSpan: "enrich",
    });
    const { token } = grantRead(kernel);
    const tracer = agentTracer(otel);
    let actionId = "";
    await tracer.startActiveSpan(`execute_tool ${READ}`, async (span) => {
      span.setAttribute("gen_ai.operation.name", "execute_tool");
      const frame = await kernel.invoke(token, { principal: reader, toolCallId: "call_fw_1" });
      actionId = frame.actionId;
      // Still the framework's span to end: the kernel never ends a borrowed span.
      expect(span.isRecording()).toBe(true);
      span.end();
    });
    const tools = (await otel.spans()).filter((s) => s.name.startsWith("execute_tool"));
    expect(tools).toHaveLength(1);
    expect(tools[0]?.instrumentationScope.name).toBe("test-agent");
    expect(tools[0]?.attributes).toMatchObject({
      "weft.action.id": actionId,
      "gen_ai.tool.call.id": "call_fw_1",
      "weft.kernel.id": "k-options",
      "weft.decision": "allow",
    });
    // The duration is still recorded once per call.
    const duration = findMetric(await otel.metrics(), "gen_ai.execute_tool.duration");
    expect(duration.dataPoints.length).toBeGreaterThan(0);
  });

  it('toolSpan "enrich" still creates its own span under a span that is not a tool span, and on failure marks the borrowed span', async () => {
    instrumentation = new KernelInstrumentation({ tracerProvider: otel.provider, toolSpan: "enrich" });
    const tracer = agentTracer(otel);
    await tracer.startActiveSpan("invoke_agent planner", async (span) => {
      const { token } = grantRead(kernel);
      await kernel.invoke(token, { principal: reader });
      span.end();
    });
    const spans = await otel.spans();
    const agent = spans.find((s) => s.name === "invoke_agent planner");
    expect(agent?.attributes["weft.action.id"]).toBeUndefined();
    const own = spans.find((s) => s.name === `execute_tool ${READ}`);
    expect(own?.instrumentationScope.name).toBe("@weft/instrumentation-kernel");
    expect(own?.parentSpanContext?.spanId).toBe(agent?.spanContext().spanId);

    otel.exporter.reset();
    const failing = kernel.grantCapability({ capabilityId: FAILING, goal: "g", constraints: {} }, reader, {
      justification: "",
    });
    await tracer.startActiveSpan(`execute_tool ${FAILING}`, async (span) => {
      await kernel.invoke(failing.token, { principal: reader }).catch(() => undefined);
      span.end();
    });
    const tools = (await otel.spans()).filter((s) => s.name.startsWith("execute_tool"));
    expect(tools.map((s) => s.instrumentationScope.name)).toEqual(["test-agent"]);
    const [borrowed] = tools;
    expect(borrowed?.status).toEqual({ code: SpanStatusCode.ERROR });
    expect(typeof borrowed?.attributes["error.type"]).toBe("string");
  });

  it("the agent option fills spans outside any agent context; withAgent wins over it", async () => {
    instrumentation = new KernelInstrumentation({
      tracerProvider: otel.provider,
      agent: { name: "fallback-bot" },
    });
    const a = grantRead(kernel);
    await kernel.invoke(a.token, { principal: reader });
    const b = grantRead(kernel);
    await withAgent({ name: "step-bot" }, () => kernel.invoke(b.token, { principal: reader }));
    const names = (await otel.spans())
      .filter((s) => s.name.startsWith("execute_tool"))
      .map((s) => s.attributes["gen_ai.agent.name"]);
    expect(names).toEqual(["fallback-bot", "step-bot"]);
  });

  it("refuses bad values of the new options", () => {
    for (const bad of [
      { compat: ["phoenix"] },
      { compat: "openinference" },
      { toolSpan: "replace" },
      { agent: { name: "" } },
      { agent: "bot" },
    ]) {
      expect(() => new KernelInstrumentation(bad as never)).toThrow(InstrumentationConfigError);
    }
  });
});
