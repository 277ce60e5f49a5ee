// Every kernel operation, run on a real Kernel with a real SDK 3 TracerProvider, yields the
// documented span with the documented attributes; failures set status and error.type.

import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import type { ReadableSpan } from "@opentelemetry/sdk-trace";
import { FunctionDriver, type Kernel } from "@weft/kernel";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { KernelInstrumentation } from "../src/index.js";
import { FAILING, grantRead, makeKernel, READ, reader, WRITE, writer } from "./kernel-fixture.js";
import { createOtel, type Otel } from "./otel.js";

function only(spans: ReadableSpan[], name: string): ReadableSpan {
  const found = spans.filter((s) => s.name === name);
  expect(found.map((s) => s.name)).toEqual([name]);
  return found[0] as ReadableSpan;
}

describe("spans of a real kernel", () => {
  let otel: Otel;
  let instrumentation: KernelInstrumentation;
  let kernel: Kernel;

  beforeEach(() => {
    otel = createOtel();
    kernel = makeKernel("k-spans");
    instrumentation = new KernelInstrumentation({
      tracerProvider: otel.provider,
      meterProvider: otel.meterProvider,
    });
  });
  afterEach(async () => {
    instrumentation.disable();
    await otel.shutdown();
  });

  it("grant: grant_capability span with the decision and token id, never the signature", async () => {
    const grant = grantRead(kernel);
    const span = only(await otel.spans(), `grant_capability ${READ}`);
    expect(span.kind).toBe(SpanKind.INTERNAL);
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.attributes).toMatchObject({
      "weft.kernel.id": "k-spans",
      "weft.principal.id": reader.principalId,
      "weft.capability.id": READ,
      "weft.capability.safety_class": "READ",
      "weft.capability.sensitivity": "NONE",
      "weft.decision": "allow",
      "weft.token.id": grant.token.tokenId,
    });
    expect(typeof span.attributes["weft.token.expires_at"]).toBe("string");
    expect(JSON.stringify(span.attributes)).not.toContain(grant.token.signature);
  });

  it("denied grant: ERROR span, weft.reason_code, weft.deny event, error.type POLICY_DENIED", async () => {
    expect(() =>
      kernel.grantCapability({ capabilityId: WRITE, goal: "update", constraints: {} }, reader, {
        justification: "needs to update the customer record",
      }),
    ).toThrow(expect.objectContaining({ code: "POLICY_DENIED" }));
    const span = only(await otel.spans(), `grant_capability ${WRITE}`);
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR });
    expect(span.attributes).toMatchObject({
      "weft.decision": "deny",
      "weft.reason_code": "missing_role",
      "error.type": "POLICY_DENIED",
      "weft.capability.safety_class": "WRITE",
    });
    expect(span.attributes["weft.token.id"]).toBeUndefined();
    expect(span.events.map((e) => [e.name, e.attributes])).toEqual([
      ["weft.deny", { "weft.reason_code": "missing_role" }],
    ]);
  });

  it("invoke: execute_tool span with GenAI and weft attributes", async () => {
    const { token } = grantRead(kernel);
    const frame = await kernel.invoke(token, { principal: reader, args: { id: 1 }, responseMode: "summary" });
    const span = only(await otel.spans(), `execute_tool ${READ}`);
    expect(span.kind).toBe(SpanKind.INTERNAL);
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.attributes).toMatchObject({
      "gen_ai.operation.name": "execute_tool",
      "gen_ai.tool.name": READ,
      "gen_ai.tool.type": "function",
      "weft.action.id": frame.actionId,
      "weft.kernel.id": "k-spans",
      "weft.principal.id": reader.principalId,
      "weft.capability.id": READ,
      "weft.capability.safety_class": "READ",
      "weft.capability.sensitivity": "NONE",
      "weft.token.id": token.tokenId,
      "weft.response_mode.requested": "summary",
      "weft.response_mode.effective": frame.responseMode,
      "weft.driver.id": "memory",
      "weft.driver.fallback": false,
      "weft.decision": "allow",
    });
    expect(span.attributes["weft.handle.id"]).toBe(frame.handle?.handleId);
    // No toolCallId given: no gen_ai.tool.call.id (it is the model's id, never Weft's).
    expect(span.attributes["gen_ai.tool.call.id"]).toBeUndefined();
    expect(span.attributes["error.type"]).toBeUndefined();
    expect(span.attributes["weft.dry_run"]).toBeUndefined();
  });

  it("dry run: execute_tool span flagged weft.dry_run, no driver", async () => {
    const { token } = grantRead(kernel);
    await kernel.invoke(token, { principal: reader, args: {}, dryRun: true });
    const span = only(await otel.spans(), `execute_tool ${READ}`);
    expect(span.attributes).toMatchObject({ "weft.dry_run": true, "weft.decision": "allow" });
    expect(span.attributes["weft.driver.id"]).toBeUndefined();
  });

  it("driver failure: ERROR span with the kernel's stable code as error.type", async () => {
    const { token } = kernel.grantCapability(
      { capabilityId: FAILING, goal: "try", constraints: {} },
      reader,
      {
        justification: "",
      },
    );
    const failure = await kernel.invoke(token, { principal: reader, args: {} }).catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: expect.any(String) });
    const code = (failure as { code: string }).code;
    const span = only(await otel.spans(), `execute_tool ${FAILING}`);
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR });
    expect(span.attributes["error.type"]).toBe(code);
    expect(span.attributes["weft.driver.id"]).toBe("memory");
    expect(JSON.stringify([span.attributes, span.events, span.status])).not.toContain("backend unavailable");
  });

  it("weft.driver.fallback is true only when a later driver ran after an earlier one failed", async () => {
    // A second driver serving READ and FAILING, registered after "memory": the default router
    // tries memory first, then backup.
    kernel.registerDriver(
      new FunctionDriver("backup", { [READ]: async () => [{ id: 9 }], [FAILING]: async () => [{ id: 9 }] }),
    );
    const read = grantRead(kernel);
    await kernel.invoke(read.token, { principal: reader, args: {} });
    const flaky = kernel.grantCapability({ capabilityId: FAILING, goal: "try" }, reader);
    await kernel.invoke(flaky.token, { principal: reader, args: {} });
    const spans = await otel.spans();
    const direct = only(spans, `execute_tool ${READ}`);
    expect(direct.attributes["weft.driver.id"]).toBe("memory");
    expect(direct.attributes["weft.driver.fallback"]).toBe(false);
    expect(direct.attributes["weft.driver.tried_ids"]).toBeUndefined();
    const fellBack = only(spans, `execute_tool ${FAILING}`);
    expect(fellBack.attributes["weft.driver.id"]).toBe("backup");
    expect(fellBack.attributes["weft.driver.fallback"]).toBe(true);
    expect(fellBack.attributes["weft.driver.tried_ids"]).toEqual(["memory", "backup"]);
    expect(kernel.stats.fallbackActivations).toBe(1);
  });

  it("the only driver failing is counted as a fallback activation but is no fallback on the span", async () => {
    const { token } = kernel.grantCapability({ capabilityId: FAILING, goal: "try" }, reader);
    await expect(kernel.invoke(token, { principal: reader, args: {} })).rejects.toThrow();
    // Stats keep the reference's meaning (a driver failed)...
    expect(kernel.stats).toMatchObject({ fallbackActivations: 1, invocationFailures: 1 });
    // ...the span says no later driver was used.
    const span = only(await otel.spans(), `execute_tool ${FAILING}`);
    expect(span.attributes["weft.driver.fallback"]).toBe(false);
    expect(span.attributes["weft.driver.tried_ids"]).toBeUndefined();
  });

  it("revoked token: the invoke span fails with TOKEN_REVOKED; revoke spans are recorded", async () => {
    const { token } = grantRead(kernel);
    kernel.revokeToken(token.tokenId);
    await expect(kernel.invoke(token, { principal: reader, args: {} })).rejects.toMatchObject({
      code: "TOKEN_REVOKED",
    });
    grantRead(kernel, writer);
    const revokedCount = kernel.revokePrincipal(writer.principalId);
    const spans = await otel.spans();
    const invoke = only(spans, `execute_tool ${READ}`);
    expect(invoke.status.code).toBe(SpanStatusCode.ERROR);
    expect(invoke.attributes["error.type"]).toBe("TOKEN_REVOKED");
    expect(only(spans, "revoke_token").attributes).toMatchObject({
      "weft.kernel.id": "k-spans",
      "weft.token.id": token.tokenId,
    });
    expect(only(spans, "revoke_principal").attributes).toMatchObject({
      "weft.principal.id": writer.principalId,
      "weft.revoke.count": revokedCount,
    });
  });

  it("expand: expand_handle span with the handle, capability and row count", async () => {
    const { token } = grantRead(kernel);
    const frame = await kernel.invoke(token, { principal: reader, args: {}, responseMode: "summary" });
    const handle = frame.handle;
    if (handle == null) throw new Error("summary invoke returned no handle");
    const table = kernel.expand(handle, { query: { offset: 0, limit: 1 }, principal: reader });
    const span = only(await otel.spans(), `expand_handle ${READ}`);
    expect(span.attributes).toMatchObject({
      "weft.kernel.id": "k-spans",
      "weft.principal.id": reader.principalId,
      "weft.handle.id": handle.handleId,
      "weft.capability.id": READ,
      "weft.action.id": table.actionId,
      "weft.expand.row_count": 1,
    });
  });

  it("failed expand (wrong principal): ERROR span with the reason code", async () => {
    const { token } = grantRead(kernel);
    const frame = await kernel.invoke(token, { principal: reader, args: {}, responseMode: "summary" });
    const handle = frame.handle;
    if (handle == null) throw new Error("summary invoke returned no handle");
    expect(() => kernel.expand(handle, { query: {}, principal: writer })).toThrow();
    const span = (await otel.spans()).find((s) => s.name.startsWith("expand_handle"));
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
    expect(span?.attributes["error.type"]).toBe("HANDLE_CONSTRAINT_VIOLATION");
    expect(span?.attributes["weft.reason_code"]).toBe("handle_principal_mismatch");
  });

  it("several kernels in one process: each span carries its kernel's id", async () => {
    const other = makeKernel("k-other");
    await kernel.invoke(grantRead(kernel).token, { principal: reader, args: {} });
    await other.invoke(grantRead(other).token, { principal: reader, args: {} });
    const ids = (await otel.spans())
      .filter((s) => s.name.startsWith("execute_tool"))
      .map((s) => s.attributes["weft.kernel.id"]);
    expect(ids).toEqual(["k-spans", "k-other"]);
  });

  it("enabled after the kernel was constructed and used: later calls are traced", async () => {
    instrumentation.disable();
    const late = makeKernel("k-late");
    const { token } = grantRead(late);
    await late.invoke(token, { principal: reader, args: {} });
    expect(await otel.spans()).toEqual([]);
    const lateInstrumentation = new KernelInstrumentation({ tracerProvider: otel.provider });
    try {
      await late.invoke(token, { principal: reader, args: {} });
      expect((await otel.spans()).map((s) => s.name)).toEqual([`execute_tool ${READ}`]);
    } finally {
      lateInstrumentation.disable();
    }
  });
});
