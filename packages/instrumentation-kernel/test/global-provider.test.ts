// With only the no-op API (no SDK registered, no provider given) the subscriber does no work and
// leaves the kernel's message untouched; once an SDK registers globally, spans start flowing
// through the same instrumentation instance (the base class's ProxyTracer delegates).

import { tracingChannel } from "node:diagnostics_channel";
import { trace } from "@opentelemetry/api";
import type { InvokeMessage } from "@weft/kernel";
import { afterEach, describe, expect, it } from "vitest";
import { KernelInstrumentation } from "../src/index.js";
import { grantRead, makeKernel, READ, reader } from "./kernel-fixture.js";
import { createOtel } from "./otel.js";

describe("global provider", () => {
  const instrumentation = new KernelInstrumentation();
  afterEach(() => {
    trace.disable();
  });

  it("no SDK: no span work, message untouched; registering an SDK later turns spans on", async () => {
    const channel = tracingChannel<unknown, InvokeMessage>("weft:kernel:invoke");
    const message: InvokeMessage = {
      kernelId: "k-global",
      principalId: "p",
      capabilityId: "c",
      tokenId: "t",
      requestedResponseMode: "summary",
      dryRun: false,
    };
    await channel.tracePromise(async () => undefined, message);
    expect(message.runInContext).toBeUndefined();
    expect(Object.getOwnPropertySymbols(message)).toEqual([]);

    const otel = createOtel();
    trace.setGlobalTracerProvider(otel.provider);
    const kernel = makeKernel("k-global");
    await kernel.invoke(grantRead(kernel).token, { principal: reader, args: {} });
    const spans = await otel.spans();
    expect(spans.map((s) => s.name)).toEqual([`grant_capability ${READ}`, `execute_tool ${READ}`]);
    instrumentation.disable();
    await otel.shutdown();
  });
});
