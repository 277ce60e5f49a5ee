// Parent/child structure across the async shapes agent code uses: a caller's invoke_agent span
// parents execute_tool, and execute_tool is the active span inside the driver — across await,
// Promise.all fan-out and async generators.

import { trace } from "@opentelemetry/api";
import type { ReadableSpan } from "@opentelemetry/sdk-trace";
import type { Kernel } from "@weft/kernel";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { KernelInstrumentation } from "../src/index.js";
import { grantRead, makeKernel, READ, reader } from "./kernel-fixture.js";
import { createOtel, type Otel } from "./otel.js";

const parentOf = (span: ReadableSpan | undefined) => span?.parentSpanContext?.spanId;
const idOf = (span: ReadableSpan | undefined) => span?.spanContext().spanId;

describe("parentage", () => {
  let otel: Otel;
  let instrumentation: KernelInstrumentation;
  let kernel: Kernel;

  beforeEach(() => {
    otel = createOtel();
    instrumentation = new KernelInstrumentation({ tracerProvider: otel.provider });
    const db = otel.provider.getTracer("test-db");
    // The driver does its own traced work after an await, like a DB client would.
    kernel = makeKernel("k-parent", async (args) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return db.startActiveSpan(`db.query ${String(args.n)}`, async (span) => {
        await Promise.resolve();
        span.end();
        return [{ id: args.n }];
      });
    });
  });
  afterEach(async () => {
    instrumentation.disable();
    await otel.shutdown();
  });

  it("sequential awaits: tools are children of invoke_agent, driver work is a child of its tool", async () => {
    const { token } = grantRead(kernel);
    const agent = otel.provider.getTracer("agent");
    await agent.startActiveSpan("invoke_agent planner", async (root) => {
      await kernel.invoke(token, { principal: reader, args: { n: 1 } });
      await kernel.invoke(token, { principal: reader, args: { n: 2 } });
      root.end();
    });
    const spans = await otel.spans();
    const root = spans.find((s) => s.name === "invoke_agent planner");
    const tools = spans.filter((s) => s.name === `execute_tool ${READ}`);
    expect(tools).toHaveLength(2);
    for (const tool of tools) expect(parentOf(tool)).toBe(idOf(root));
    for (const n of [1, 2]) {
      const query = spans.find((s) => s.name === `db.query ${n}`);
      expect(tools.map(idOf)).toContain(parentOf(query));
    }
    expect(new Set(spans.filter((s) => s.name.startsWith("db.query")).map(parentOf)).size).toBe(2);
    expect(trace.getActiveSpan()).toBeUndefined();
  });

  it("Promise.all fan-out: every driver span hangs off its own execute_tool", async () => {
    const { token } = grantRead(kernel);
    const agent = otel.provider.getTracer("agent");
    const frames = await agent.startActiveSpan("invoke_agent fan-out", async (root) => {
      const result = await Promise.all(
        [1, 2, 3, 4, 5].map((n) => kernel.invoke(token, { principal: reader, args: { n } })),
      );
      root.end();
      return result;
    });
    const spans = await otel.spans();
    const root = spans.find((s) => s.name === "invoke_agent fan-out");
    const tools = spans.filter((s) => s.name === `execute_tool ${READ}`);
    expect(tools).toHaveLength(5);
    expect(tools.map((t) => t.attributes["weft.action.id"]).sort()).toEqual(
      frames.map((f) => f.actionId).sort(),
    );
    for (const tool of tools) {
      expect(parentOf(tool)).toBe(idOf(root));
      const children = spans.filter((s) => parentOf(s) === idOf(tool));
      expect(children.map((c) => c.name)).toHaveLength(1);
      expect(children[0]?.name).toMatch(/^db\.query [1-5]$/);
    }
  });

  it("async generators: context does not leak across yields", async () => {
    const { token } = grantRead(kernel);
    const agent = otel.provider.getTracer("agent");
    async function* steps(): AsyncGenerator<string> {
      for (const n of [10, 20]) {
        const frame = await agent.startActiveSpan(`invoke_agent step-${n}`, async (step) => {
          const result = await kernel.invoke(token, { principal: reader, args: { n } });
          step.end();
          return result;
        });
        yield frame.actionId;
      }
    }
    const byStep = new Map<string, string>();
    await agent.startActiveSpan("invoke_agent loop", async (root) => {
      for await (const actionId of steps()) {
        // The consumer's own call between yields belongs to the loop span, not to a step.
        const frame = await kernel.invoke(token, { principal: reader, args: { n: 99 } });
        byStep.set(actionId, frame.actionId);
      }
      root.end();
    });
    const spans = await otel.spans();
    const byName = (name: string) => spans.find((s) => s.name === name);
    const toolByAction = (actionId: string) => spans.find((s) => s.attributes["weft.action.id"] === actionId);
    const [first, second] = [...byStep.keys()];
    expect(parentOf(toolByAction(first as string))).toBe(idOf(byName("invoke_agent step-10")));
    expect(parentOf(toolByAction(second as string))).toBe(idOf(byName("invoke_agent step-20")));
    for (const consumerAction of byStep.values()) {
      expect(parentOf(toolByAction(consumerAction))).toBe(idOf(byName("invoke_agent loop")));
    }
    expect(parentOf(byName("invoke_agent step-10"))).toBe(idOf(byName("invoke_agent loop")));
  });
});
