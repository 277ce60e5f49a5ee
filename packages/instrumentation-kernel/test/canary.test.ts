// Nothing secret leaves through telemetry: a canary value placed in args, results, a driver's
// error message, the goal and the justification, and the token signature, never appear in any
// span name, attribute, event, status or metric attribute, across every kernel operation.

import type { Kernel } from "@weft/kernel";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { KernelInstrumentation } from "../src/index.js";
import { FAILING, makeKernel, READ, reader, WRITE, writer } from "./kernel-fixture.js";
import { createOtel, type Otel } from "./otel.js";

const CANARY = "canary-5f1d2c9a-args";

describe("canary: args and token signatures never reach telemetry", () => {
  let otel: Otel;
  let instrumentation: KernelInstrumentation;
  let kernel: Kernel;

  beforeEach(() => {
    otel = createOtel();
    // Digests on: the one place args feed into a span, so the canary check covers it too.
    instrumentation = new KernelInstrumentation({
      tracerProvider: otel.provider,
      meterProvider: otel.meterProvider,
      captureArgs: "digest",
      spanHook: () => {},
    });
    kernel = makeKernel("k-leak", async (args) => [{ id: 1, echo: args.secret, note: CANARY }]);
  });
  afterEach(async () => {
    instrumentation.disable();
    await otel.shutdown();
  });

  it("across grant, deny, invoke, failure, expand and revoke", async () => {
    const signatures: string[] = [];
    const grant = kernel.grantCapability(
      { capabilityId: READ, goal: `find ${CANARY}`, constraints: {} },
      reader,
      { justification: `because ${CANARY}` },
    );
    signatures.push(grant.token.signature);
    const args = { secret: CANARY, nested: { list: [CANARY, 7] } };
    const frame = await kernel.invoke(grant.token, { principal: reader, args, responseMode: "summary" });
    if (frame.handle != null) kernel.expand(frame.handle, { query: { limit: 5 }, principal: reader });
    await kernel.invoke(grant.token, { principal: reader, args, responseMode: "raw" });
    expect(() =>
      kernel.grantCapability({ capabilityId: WRITE, goal: CANARY, constraints: {} }, reader, {
        justification: `justification ${CANARY}`,
      }),
    ).toThrow();
    const write = kernel.grantCapability({ capabilityId: WRITE, goal: CANARY, constraints: {} }, writer, {
      justification: `long enough justification ${CANARY}`,
    });
    signatures.push(write.token.signature);
    await kernel.invoke(write.token, { principal: writer, args });
    const flakyKernel = makeKernel("k-leak-fail", async () => {
      throw new Error(`lookup failed for ${CANARY}`);
    });
    const flaky = flakyKernel.grantCapability({ capabilityId: READ, goal: "x", constraints: {} }, reader, {
      justification: "",
    });
    signatures.push(flaky.token.signature);
    await expect(flakyKernel.invoke(flaky.token, { principal: reader, args })).rejects.toThrow();
    const failing = kernel.grantCapability({ capabilityId: FAILING, goal: "x", constraints: {} }, reader, {
      justification: "",
    });
    signatures.push(failing.token.signature);
    await expect(kernel.invoke(failing.token, { principal: reader, args })).rejects.toThrow();
    kernel.revokeToken(grant.token.tokenId);
    await expect(kernel.invoke(grant.token, { principal: reader, args })).rejects.toThrow();
    kernel.revokePrincipal(writer.principalId);

    const spans = await otel.spans();
    const metrics = await otel.metrics();
    // Every operation produced its span, so the scan below really covered them all.
    const names = new Set(spans.map((s) => s.name.split(" ")[0]));
    expect([...names].sort()).toEqual(
      ["execute_tool", "expand_handle", "grant_capability", "revoke_principal", "revoke_token"].sort(),
    );
    expect(spans.some((s) => typeof s.attributes["weft.args.digest"] === "string")).toBe(true);

    const telemetry = JSON.stringify({
      spans: spans.map((s) => ({
        name: s.name,
        attributes: s.attributes,
        events: s.events.map((e) => ({ name: e.name, attributes: e.attributes })),
        status: s.status,
        links: s.links,
      })),
      metrics: metrics.map((m) => ({
        name: m.descriptor.name,
        points: m.dataPoints.map((p) => p.attributes),
      })),
    });
    expect(telemetry).not.toContain(CANARY);
    expect(telemetry).not.toContain("canary");
    for (const signature of signatures) {
      expect(signature.length).toBeGreaterThan(8);
      expect(telemetry).not.toContain(signature);
    }
  });
});
