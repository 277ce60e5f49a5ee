// Span mapping checked against the channel contract alone: the test publishes on the kernel's
// TracingChannels exactly as @weft/kernel does (traceSync / tracePromise) and reads real SDK spans.

import { tracingChannel } from "node:diagnostics_channel";
import { SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import {
  CHANNEL_GRANT,
  CHANNEL_INVOKE,
  CHANNEL_REVOKE,
  type GrantMessage,
  type InvokeMessage,
  type RevokeMessage,
} from "@weft/kernel";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InstrumentationConfigError, KernelInstrumentation } from "../src/index.js";
import { createOtel, type Otel } from "./otel.js";

const invokeChannel = tracingChannel<unknown, InvokeMessage>(CHANNEL_INVOKE);
const grantChannel = tracingChannel<unknown, GrantMessage>(CHANNEL_GRANT);
const revokeChannel = tracingChannel<unknown, RevokeMessage>(CHANNEL_REVOKE);

function invokeMessage(): InvokeMessage {
  return {
    kernelId: "k-contract",
    principalId: "agent-1",
    capabilityId: "crm.read",
    tokenId: "tok-1",
    requestedResponseMode: "summary",
    dryRun: false,
  };
}

/** Publishes an invoke the way the kernel does: fill fields, run the driver via runInContext. */
function publishInvoke(message: InvokeMessage, driver: () => Promise<unknown>): Promise<unknown> {
  return invokeChannel.tracePromise(async () => {
    message.actionId = "act-1";
    message.toolCallId = "call_contract_1";
    message.toolType = "datastore";
    message.toolDescription = "Read a customer";
    message.safetyClass = "READ";
    message.sensitivity = "PII";
    message.driverId = "memory";
    message.driversTried = ["memory"];
    message.fallback = false;
    const run = message.runInContext ?? (<T>(fn: () => T) => fn());
    try {
      return await run(driver);
    } finally {
      message.responseMode = "summary";
    }
  }, message);
}

describe("span mapping from channel messages", () => {
  let otel: Otel;
  let instrumentation: KernelInstrumentation;

  beforeEach(() => {
    otel = createOtel();
    instrumentation = new KernelInstrumentation({
      tracerProvider: otel.provider,
      meterProvider: otel.meterProvider,
    });
  });
  afterEach(async () => {
    instrumentation.disable();
    await otel.shutdown();
  });

  it("makes execute_tool the active span while the driver runs", async () => {
    let activeInDriver: string | undefined;
    await publishInvoke(invokeMessage(), async () => {
      await new Promise((r) => setTimeout(r, 1));
      activeInDriver = trace.getActiveSpan()?.spanContext().spanId;
    });
    const [span] = await otel.spans();
    expect(span?.name).toBe("execute_tool crm.read");
    expect(span?.kind).toBe(SpanKind.INTERNAL);
    expect(activeInDriver).toBe(span?.spanContext().spanId);
    expect(span?.attributes).toMatchObject({
      "gen_ai.operation.name": "execute_tool",
      "gen_ai.tool.name": "crm.read",
      "gen_ai.tool.call.id": "call_contract_1",
      "gen_ai.tool.type": "datastore",
      "gen_ai.tool.description": "Read a customer",
      "weft.action.id": "act-1",
      "weft.kernel.id": "k-contract",
      "weft.principal.id": "agent-1",
      "weft.capability.id": "crm.read",
      "weft.capability.safety_class": "READ",
      "weft.capability.sensitivity": "PII",
      "weft.response_mode.requested": "summary",
      "weft.response_mode.effective": "summary",
      "weft.driver.id": "memory",
      "weft.driver.fallback": false,
      "weft.token.id": "tok-1",
    });
    expect(span?.status.code).toBe(SpanStatusCode.UNSET);
  });

  it("marks a rejected invoke as ERROR with the stable code as error.type", async () => {
    const message = invokeMessage();
    const failure = Object.assign(new Error("driver said: secret-arg-value"), { code: "DRIVER_FAILED" });
    await expect(publishInvoke(message, () => Promise.reject(failure))).rejects.toBe(failure);
    const [span] = await otel.spans();
    // The description stays empty: it would only repeat error.type.
    expect(span?.status).toEqual({ code: SpanStatusCode.ERROR });
    expect(span?.attributes["error.type"]).toBe("DRIVER_FAILED");
    expect(span?.attributes["error.type"]).toBe("DRIVER_FAILED");
    expect(JSON.stringify(span?.attributes)).not.toContain("secret-arg-value");
    expect(span?.events).toEqual([]);
  });

  it("prefers the kernel's errorCode and falls back to the error class", async () => {
    const coded = invokeMessage();
    await expect(
      publishInvoke(coded, () => {
        coded.errorCode = "TOKEN_REVOKED";
        return Promise.reject(new TypeError("x"));
      }),
    ).rejects.toThrow();
    await expect(publishInvoke(invokeMessage(), () => Promise.reject(new TypeError("y")))).rejects.toThrow();
    const spans = await otel.spans();
    expect(spans.map((s) => s.attributes["error.type"])).toEqual(["TOKEN_REVOKED", "TypeError"]);
  });

  it("turns a denied grant into an ERROR span with weft.reason_code and a weft.deny event", () => {
    const message: GrantMessage = {
      kernelId: "k-contract",
      principalId: "agent-1",
      capabilityId: "crm.delete",
      safetyClass: "DESTRUCTIVE",
      sensitivity: "NONE",
    };
    expect(() =>
      grantChannel.traceSync(() => {
        message.decision = "deny";
        message.reasonCode = "DENIED_MISSING_ROLE";
        message.actionId = "act-deny";
        message.errorCode = "POLICY_DENIED";
        throw new Error("denied");
      }, message),
    ).toThrow("denied");
    return otel.spans().then(([span]) => {
      expect(span?.name).toBe("grant_capability crm.delete");
      expect(span?.status.code).toBe(SpanStatusCode.ERROR);
      expect(span?.attributes).toMatchObject({
        "weft.decision": "deny",
        "weft.reason_code": "DENIED_MISSING_ROLE",
        "weft.action.id": "act-deny",
        "error.type": "POLICY_DENIED",
        "weft.capability.safety_class": "DESTRUCTIVE",
      });
      expect(span?.events.map((e) => [e.name, e.attributes])).toEqual([
        ["weft.deny", { "weft.reason_code": "DENIED_MISSING_ROLE" }],
      ]);
    });
  });

  it("names revoke spans by what was revoked", async () => {
    const token: RevokeMessage = { kernelId: "k", tokenId: "tok-9" };
    revokeChannel.traceSync(() => {
      token.revokedCount = 1;
    }, token);
    const principal: RevokeMessage = { kernelId: "k", principalId: "agent-1" };
    revokeChannel.traceSync(() => {
      principal.revokedCount = 3;
    }, principal);
    const spans = await otel.spans();
    expect(spans.map((s) => s.name)).toEqual(["revoke_token", "revoke_principal"]);
    expect(spans[0]?.attributes["weft.token.id"]).toBe("tok-9");
    expect(spans[1]?.attributes).toMatchObject({ "weft.principal.id": "agent-1", "weft.revoke.count": 3 });
  });

  it("unsubscribes on disable, so the kernel sees no subscribers and no span is made", async () => {
    expect(invokeChannel.hasSubscribers).toBe(true);
    instrumentation.disable();
    expect(invokeChannel.hasSubscribers).toBe(false);
    const message = invokeMessage();
    await publishInvoke(message, async () => undefined);
    expect(message.runInContext).toBeUndefined();
    expect(await otel.spans()).toEqual([]);
    instrumentation.enable();
    await publishInvoke(invokeMessage(), async () => undefined);
    expect(await otel.spans()).toHaveLength(1);
  });

  it("with requireParentSpan, traces only calls made inside a caller span", async () => {
    instrumentation.setConfig({ requireParentSpan: true });
    await publishInvoke(invokeMessage(), async () => undefined);
    const agent = otel.provider.getTracer("agent");
    await agent.startActiveSpan("invoke_agent planner", async (parent) => {
      await publishInvoke(invokeMessage(), async () => undefined);
      parent.end();
    });
    const spans = await otel.spans();
    expect(spans.map((s) => s.name)).toEqual(["execute_tool crm.read", "invoke_agent planner"]);
    expect(spans[0]?.parentSpanContext?.spanId).toBe(spans[1]?.spanContext().spanId);
  });

  it("runs spanHook with the message, and survives a hook that throws", async () => {
    const seen: string[] = [];
    instrumentation.setConfig({
      spanHook: (span, message, operation) => {
        seen.push(operation);
        span.setAttribute("app.tenant", `t-${message.kernelId}`);
        throw new Error("hook bug");
      },
    });
    await publishInvoke(invokeMessage(), async () => undefined);
    const [span] = await otel.spans();
    expect(seen).toEqual(["invoke"]);
    expect(span?.attributes["app.tenant"]).toBe("t-k-contract");
  });

  it("adds a keyed digest only with captureArgs: digest", async () => {
    const keys: unknown[] = [];
    const withDigest = (): InvokeMessage => ({
      ...invokeMessage(),
      digestArgs: (key) => {
        keys.push(key);
        return "ab12";
      },
    });
    await publishInvoke(withDigest(), async () => undefined);
    instrumentation.setConfig({ captureArgs: "digest", argsDigestKey: "0123456789abcdef-key" });
    await publishInvoke(withDigest(), async () => undefined);
    const spans = await otel.spans();
    expect(spans[0]?.attributes["weft.args.digest"]).toBeUndefined();
    expect(spans[1]?.attributes["weft.args.digest"]).toBe("hmac-sha256:ab12");
    expect(keys).toEqual(["0123456789abcdef-key"]);
  });

  it("rejects invalid options with a typed error", () => {
    expect(() => new KernelInstrumentation({ captureArgs: "raw" as "none" })).toThrow(
      InstrumentationConfigError,
    );
    expect(() => new KernelInstrumentation({ captureArgs: "digest", argsDigestKey: "short" })).toThrow(
      expect.objectContaining({ code: "INSTRUMENTATION_CONFIG_INVALID" }),
    );
  });
});
