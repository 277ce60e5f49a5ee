// The acting agent and the model's tool-call id reach the action records (and the channel
// messages), travel through async continuations, and stay out of records made without them, so
// those keep the reference's exact 16-key shape.
import { describe, expect, it } from "vitest";
import {
  currentAgent,
  decodeTrace,
  exportActionTrace,
  InvalidArgumentError,
  queryTraces,
  withAgent,
} from "../src/index.js";
import { makeKernel, reader, writer } from "./helpers.js";

const REFERENCE_KEYS = [
  "action_id",
  "capability_id",
  "principal_id",
  "token_id",
  "invoked_at",
  "response_mode",
  "driver_id",
  "handle_id",
  "sensitivity",
  "status",
  "event_type",
  "reason_code",
  "error",
  "args",
  "result_summary",
  "correction",
];

describe("withAgent", () => {
  it("records the agent on invoke, expand and deny traces, across awaits and timers", async () => {
    const { kernel } = makeKernel();
    const agent = { name: "support-bot", id: "agent-42", conversationId: "conv-7" };
    const ids = await withAgent(agent, async () => {
      await new Promise((r) => setTimeout(r, 1));
      const g = kernel.grantCapability({ capabilityId: "crm.list", goal: "g" }, reader);
      const frame = await kernel.invoke(g.token, { principal: reader, toolCallId: "call_abc" });
      await Promise.resolve();
      const page = kernel.expand(frame.handle!, { query: { limit: 1 }, principal: reader });
      expect(() => kernel.grantCapability({ capabilityId: "crm.delete", goal: "g" }, reader)).toThrow();
      return { invoke: frame.actionId, expand: page.actionId };
    });
    const traces = kernel.listTraces();
    expect(traces.map((t) => t.eventType).sort()).toEqual(["deny", "expand", "invoke"]);
    for (const t of traces) {
      expect([t.eventType, t.agentName, t.agentId, t.conversationId]).toEqual([
        t.eventType,
        "support-bot",
        "agent-42",
        "conv-7",
      ]);
    }
    expect(kernel.explain(ids.invoke).toolCallId).toBe("call_abc");
    expect(kernel.explain(ids.expand).toolCallId).toBeUndefined();
    expect(currentAgent()).toBeUndefined();
  });

  it("an inner withAgent replaces the outer one for its extent only; fields are not inherited", async () => {
    const { kernel } = makeKernel();
    const g1 = kernel.grantCapability({ capabilityId: "crm.list", goal: "g" }, reader);
    const g2 = kernel.grantCapability({ capabilityId: "crm.list", goal: "g" }, reader);
    const g3 = kernel.grantCapability({ capabilityId: "crm.list", goal: "g" }, reader);
    const [outer1, inner, outer2] = await withAgent({ name: "planner", conversationId: "c1" }, async () => {
      const a = await kernel.invoke(g1.token, { principal: reader });
      const b = await withAgent({ name: "researcher" }, () => kernel.invoke(g2.token, { principal: reader }));
      const c = await kernel.invoke(g3.token, { principal: reader });
      return [a, b, c];
    });
    const agentOf = (id: string) => {
      const t = kernel.explain(id);
      return [t.agentName, t.conversationId];
    };
    expect(agentOf(outer1.actionId)).toEqual(["planner", "c1"]);
    expect(agentOf(inner.actionId)).toEqual(["researcher", undefined]);
    expect(agentOf(outer2.actionId)).toEqual(["planner", "c1"]);
  });

  it("the Kernel option agent applies outside withAgent; withAgent wins inside it", async () => {
    const { kernel } = makeKernel({ agent: { name: "default-bot" } });
    const g = kernel.grantCapability({ capabilityId: "crm.list", goal: "g" }, reader);
    const a = await kernel.invoke(g.token, { principal: reader });
    const g2 = kernel.grantCapability({ capabilityId: "crm.list", goal: "g" }, reader);
    const b = await withAgent({ name: "step-bot" }, () => kernel.invoke(g2.token, { principal: reader }));
    expect(kernel.explain(a.actionId).agentName).toBe("default-bot");
    expect(kernel.explain(b.actionId).agentName).toBe("step-bot");
    expect(queryTraces(kernel.listTraces(), { agentName: "step-bot" }).map((t) => t.actionId)).toEqual([
      b.actionId,
    ]);
    expect(kernel.queryTraces({ agentName: "default-bot" }).map((t) => t.actionId)).toEqual([a.actionId]);
  });

  it("hostile agent values and tool-call ids are refused with a typed error, nothing recorded", async () => {
    for (const bad of [
      null,
      "bot",
      { name: "" },
      { name: 7 },
      { id: "x".repeat(257) },
      { conversationId: "line\nbreak" },
    ]) {
      expect(() => withAgent(bad as never, () => 1)).toThrow(InvalidArgumentError);
    }
    expect(() => makeKernel({ agent: { name: "\u0000" } })).toThrow(InvalidArgumentError);
    const { kernel } = makeKernel();
    const g = kernel.grantCapability({ capabilityId: "crm.list", goal: "g" }, reader);
    for (const bad of ["", 42, "a\u0007b", "c".repeat(257)]) {
      await expect(kernel.invoke(g.token, { principal: reader, toolCallId: bad as never })).rejects.toThrow(
        InvalidArgumentError,
      );
    }
    expect(kernel.listTraces()).toEqual([]);
    // 256 characters is the documented maximum, and fine.
    const ok = await kernel.invoke(g.token, { principal: reader, toolCallId: "c".repeat(256) });
    expect(kernel.explain(ok.actionId).toolCallId).toHaveLength(256);
  });
});

describe("action record extensions", () => {
  it("are exported after the reference's 16 keys only when set, and decode back", async () => {
    const { kernel } = makeKernel();
    const g = kernel.grantCapability({ capabilityId: "crm.update", goal: "g" }, writer, {
      justification: "customer asked for a correction",
    });
    const plain = await kernel.invoke(g.token, { principal: writer, args: { id: 1, email: "a@b.c" } });
    const g2 = kernel.grantCapability({ capabilityId: "crm.update", goal: "g" }, writer, {
      justification: "customer asked for a correction",
    });
    const rich = await withAgent({ name: "bot", id: "b-1", conversationId: "c-1" }, () =>
      kernel.invoke(g2.token, { principal: writer, args: { id: 2 }, toolCallId: "call_9" }),
    );
    expect(Object.keys(exportActionTrace(kernel.explain(plain.actionId)))).toEqual(REFERENCE_KEYS);
    const exported = exportActionTrace(kernel.explain(rich.actionId));
    expect(Object.keys(exported)).toEqual([
      ...REFERENCE_KEYS,
      "tool_call_id",
      "agent_name",
      "agent_id",
      "conversation_id",
    ]);
    expect(exported).toMatchObject({
      tool_call_id: "call_9",
      agent_name: "bot",
      agent_id: "b-1",
      conversation_id: "c-1",
    });
    expect(decodeTrace(exported)).toEqual(kernel.explain(rich.actionId));
    expect(decodeTrace(exportActionTrace(kernel.explain(plain.actionId)))).toEqual(
      kernel.explain(plain.actionId),
    );
  });

  it("a stored extension that is not a string is a decode error, not a silently different record", () => {
    const { kernel } = makeKernel();
    const g = kernel.grantCapability({ capabilityId: "crm.list", goal: "g" }, reader);
    return kernel.invoke(g.token, { principal: reader }).then((f) => {
      const exported = { ...exportActionTrace(kernel.explain(f.actionId)), agent_name: 5 };
      expect(() => decodeTrace(exported)).toThrow(/agent_name/);
    });
  });
});
