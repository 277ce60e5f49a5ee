// The HTTP client span that a driver's fetch causes is a child of execute_tool: real
// @opentelemetry/instrumentation-undici, the kernel's real HttpDriver, a node:http server on
// loopback. This is the point of the runInContext slot.

import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { SpanKind } from "@opentelemetry/api";
import { registerInstrumentations } from "@opentelemetry/instrumentation";
import { UndiciInstrumentation } from "@opentelemetry/instrumentation-undici";
import type { ReadableSpan } from "@opentelemetry/sdk-trace";
import { CapabilityRegistry, HttpDriver, type HttpRoute, Kernel } from "@weft/kernel";
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
  const seenRequests: Array<{ method: string; url: string; body: string }> = [];

  beforeAll(async () => {
    server = createServer(async (req, res) => {
      seenHeaders.push(req.headers);
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      seenRequests.push({
        method: req.method ?? "",
        url: req.url ?? "",
        body: Buffer.concat(chunks).toString("utf8"),
      });
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
      new HttpDriver("http", {
        baseUrl,
        routes: { "web.fetch": { method: "GET", path: "/posts", argsIn: "query" } },
      }),
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

  // Everything a span exports as text: attributes, event attributes, name, status, links.
  function spanText(span: ReadableSpan): string {
    return JSON.stringify({
      name: span.name,
      attributes: span.attributes,
      events: span.events.map((e) => ({ name: e.name, attributes: e.attributes })),
      status: span.status,
      links: span.links.map((l) => l.attributes),
      resource: span.resource.attributes,
    });
  }

  async function invokeWithCanary(route: HttpRoute, canary: string): Promise<ReadableSpan[]> {
    otel.exporter.reset();
    const registry = new CapabilityRegistry();
    registry.register({
      capabilityId: "web.search",
      name: "Search",
      description: "Searches posts",
      safetyClass: "READ",
      sensitivity: "NONE",
      tags: [],
    });
    const kernel = new Kernel({ registry, kernelId: "k-http-canary" });
    kernel.registerDriver(new HttpDriver("http", { baseUrl, routes: { "web.search": route } }));
    const { token } = kernel.grantCapability({ capabilityId: "web.search", goal: "read" }, reader);
    await otel.provider.getTracer("agent").startActiveSpan("invoke_agent researcher", async (root) => {
      await kernel.invoke(token, { principal: reader, args: { q: canary, account: { pin: canary } } });
      root.end();
    });
    return otel.spans();
  }

  it("under the default route config, no arg value reaches the HTTP client span (args go in a JSON body)", async () => {
    const canary = "CANARY-a8f3e1-do-not-export";
    const spans = await invokeWithCanary({ path: "/search" }, canary);
    const http = spans.filter((s) => s.kind === SpanKind.CLIENT);
    expect(http).toHaveLength(1);
    expect(http[0]?.attributes["http.request.method"]).toBe("POST");
    expect(String(http[0]?.attributes["url.full"])).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/search$/);
    // The server did get the args (so they were sent), in the body rather than the URL.
    const req = seenRequests.at(-1);
    expect(req?.url).toBe("/search");
    expect(JSON.parse(req?.body ?? "")).toEqual({ q: canary, account: { pin: canary } });
    expect(spans.length).toBeGreaterThanOrEqual(3);
    for (const span of spans) expect(spanText(span)).not.toContain(canary);
  });

  it("a route that opts into query-string args does put them in url.full (why it is opt-in)", async () => {
    const canary = "CANARY-query-77c2";
    const spans = await invokeWithCanary({ path: "/search", argsIn: "query" }, canary);
    const http = spans.filter((s) => s.kind === SpanKind.CLIENT);
    expect(http).toHaveLength(1);
    expect(http[0]?.attributes["http.request.method"]).toBe("GET");
    expect(String(http[0]?.attributes["url.full"])).toContain(canary);
    // The kernel's own span still carries no arg value.
    const tool = spans.find((s) => s.name === "execute_tool web.search");
    expect(tool).toBeDefined();
    expect(spanText(tool as ReadableSpan)).not.toContain(canary);
  });
});
