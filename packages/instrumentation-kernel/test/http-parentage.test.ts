// The HTTP client span that a driver's fetch causes is a child of execute_tool: real
// @opentelemetry/instrumentation-undici, the kernel's real HttpDriver, a node:http server on
// loopback. This is the point of the runInContext slot.

import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { SpanKind } from "@opentelemetry/api";
import { registerInstrumentations } from "@opentelemetry/instrumentation";
import { UndiciInstrumentation } from "@opentelemetry/instrumentation-undici";
import { CapabilityRegistry, HttpDriver, Kernel } from "@weft/kernel";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KernelInstrumentation } from "../src/index.js";
import { reader } from "./kernel-fixture.js";
import { createOtel, type Otel } from "./otel.js";

describe("HTTP spans caused by a driver", () => {
  let server: Server;
  let baseUrl: string;
  let otel: Otel;
  let unregister: () => void;
  const seenHeaders: IncomingHttpHeaders[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      seenHeaders.push(req.headers);
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify([{ id: 1, title: "hello" }]));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    otel = createOtel();
    unregister = registerInstrumentations({
      instrumentations: [new UndiciInstrumentation(), new KernelInstrumentation()],
      tracerProvider: otel.provider,
      meterProvider: otel.meterProvider,
    });
  });
  afterAll(async () => {
    unregister();
    await otel.shutdown();
    await new Promise((resolve) => server.close(resolve));
  });

  it("undici's client span is a child of execute_tool, itself a child of invoke_agent", async () => {
    const registry = new CapabilityRegistry();
    registry.register({
      capabilityId: "web.fetch",
      name: "Fetch",
      description: "Fetches posts",
      safetyClass: "READ",
      sensitivity: "NONE",
      tags: [],
    });
    const kernel = new Kernel({ registry, kernelId: "k-http" });
    kernel.registerDriver(
      new HttpDriver("http", { baseUrl, routes: { "web.fetch": { method: "GET", path: "/posts" } } }),
    );
    const { token } = kernel.grantCapability(
      { capabilityId: "web.fetch", goal: "read", constraints: {} },
      reader,
      {
        justification: "",
      },
    );
    const agent = otel.provider.getTracer("agent");
    await agent.startActiveSpan("invoke_agent researcher", async (root) => {
      await kernel.invoke(token, { principal: reader, args: {} });
      root.end();
    });

    const spans = await otel.spans();
    const root = spans.find((s) => s.name === "invoke_agent researcher");
    const tool = spans.find((s) => s.name === "execute_tool web.fetch");
    const http = spans.filter((s) => s.kind === SpanKind.CLIENT);
    expect(http).toHaveLength(1);
    expect(http[0]?.instrumentationScope.name).toBe("@opentelemetry/instrumentation-undici");
    expect(http[0]?.attributes["http.request.method"]).toBe("GET");
    expect(tool?.attributes["weft.driver.id"]).toBe("http");
    expect(tool?.parentSpanContext?.spanId).toBe(root?.spanContext().spanId);
    expect(http[0]?.parentSpanContext?.spanId).toBe(tool?.spanContext().spanId);
    expect(http[0]?.spanContext().traceId).toBe(root?.spanContext().traceId);
    expect(seenHeaders).toHaveLength(1);
  });
});
