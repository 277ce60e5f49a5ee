// @weft/mcp against real MCP servers (child processes over stdio and Streamable HTTP on loopback)
// with both SDK majors on the client side: registration, governed calls, tracing across the
// process boundary, definition pinning, governTransport, and servers that misbehave.

import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Client as ClientV1 } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport as StdioV1 } from "@modelcontextprotocol/sdk/client/stdio.js";
import { SpanKind } from "@opentelemetry/api";
import { PolicyDeniedError } from "@weft/kernel";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  DEFINITION_CONSTRAINT,
  fromMcpV1,
  governTransport,
  MCP_DENIED_ERROR_CODE,
  MCP_DURATION_BUCKETS,
  McpMalformedResultError,
  type McpToolClient,
  registerMcpServer,
  TOOL_DEFINITION_CHANGED,
  TOOL_NAME_COLLISION,
  toolDefinitionHash,
} from "../src/index.js";
import {
  agent,
  createWorld,
  eventually,
  httpClient,
  httpServer,
  JUSTIFICATION,
  RAW_SERVER,
  type Sdk,
  serverSpans,
  stdioClient,
  TOOL_SERVER,
  type World,
} from "./support.js";

let world: World;
const closers: (() => unknown)[] = [];

beforeEach(() => {
  world = createWorld();
});
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await Promise.resolve(close()).catch(() => undefined);
  await world.close();
});

function grant(capabilityId: string, constraints?: Record<string, unknown>) {
  return world.kernel.grantCapability(
    { capabilityId, goal: "test", ...(constraints && { constraints }) },
    agent,
    {
      justification: JUSTIFICATION,
    },
  );
}

async function call(
  capabilityId: string,
  args: Record<string, unknown>,
  constraints?: Record<string, unknown>,
) {
  const { token } = grant(capabilityId, constraints);
  return world.kernel.invoke(token, { principal: agent, args, responseMode: "raw" });
}

function executeToolSpan(spans: Awaited<ReturnType<World["spans"]>>, capabilityId: string) {
  const span = spans.find((s) => s.name === `execute_tool ${capabilityId}`);
  if (span === undefined)
    throw new Error(`no execute_tool span for ${capabilityId}: ${spans.map((s) => s.name)}`);
  return span;
}

describe.each<Sdk>(["v1", "v2"])("SDK %s client over stdio", (sdk) => {
  it("registers one capability per tool and calls it through the kernel, traced across processes", async () => {
    const spansFile = join(world.dir, "server-spans.jsonl");
    const conn = await stdioClient(sdk, ["--spans", spansFile]);
    closers.push(conn.close);
    const binding = await registerMcpServer(world.kernel, conn.client, {
      server: "tools",
      safety: { echo: "READ", add: "READ" },
    });
    expect(binding.capabilityIds).toEqual(
      expect.arrayContaining(["tools.echo", "tools.add", "tools.fail", "tools.delete_everything"]),
    );
    const echo = world.kernel.registry.get("tools.echo");
    expect(echo.safetyClass).toBe("READ");
    expect(echo.description).toBe("Echoes its text back.");
    // Untrusted server, no mapping: annotations are ignored and MCP's conservative default applies.
    expect(world.kernel.registry.get("tools.delete_everything").safetyClass).toBe("DESTRUCTIVE");

    const frame = await call("tools.echo", { text: "hello over stdio" });
    expect(frame.rawData).toBe("hello over stdio");
    const sum = await call("tools.add", { a: 2, b: 40 });
    expect(sum.rawData).toEqual({ sum: 42 });

    const spans = await world.spans();
    const span = executeToolSpan(spans, "tools.echo");
    expect(span.kind).toBe(SpanKind.INTERNAL);
    expect(span.attributes["mcp.method.name"]).toBe("tools/call");
    expect(span.attributes["network.transport"]).toBe("pipe");
    // v1's stdio transport keeps the negotiated version to itself; v2 reports it.
    if (sdk === "v2") expect(span.attributes["mcp.protocol.version"]).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    // No second client span for the same call.
    expect(spans.filter((s) => s.name.includes("tools/call"))).toHaveLength(0);

    await eventually(() => serverSpans(spansFile).length >= 2);
    const remote = serverSpans(spansFile).find((s) => s.name === "tools/call echo");
    expect(remote?.traceId).toBe(span.spanContext().traceId);
    expect(remote?.parentSpanId).toBe(span.spanContext().spanId);

    // The calls are in the actions chain, which verifies.
    const records = world.store.actions.query({ capabilityId: "tools.echo" });
    expect(records).toHaveLength(1);
    expect(records[0]?.driverId).toBe("mcp:tools");
    expect(world.store.verify("actions").ok).toBe(true);
  });

  it("turns an isError result into a recorded tool failure with error.type tool_error", async () => {
    const conn = await stdioClient(sdk, []);
    closers.push(conn.close);
    await registerMcpServer(world.kernel, conn.client, {
      server: "tools",
      safety: { fail: "READ", echo: "READ" },
      driver: { meterProvider: world.meterProvider },
    });
    await expect(call("tools.fail", { why: "no reason" })).rejects.toMatchObject({ code: "DRIVER_ERROR" });
    await call("tools.echo", { text: "ok" });
    const { resourceMetrics } = await world.reader.collect();
    const metric = resourceMetrics.scopeMetrics
      .flatMap((m) => m.metrics)
      .find((m) => m.descriptor.name === "mcp.client.operation.duration");
    expect(metric?.descriptor.unit).toBe("s");
    const points = (metric?.dataPoints ?? []) as { attributes: Record<string, unknown>; value: unknown }[];
    const failed = points.find((p) => p.attributes["error.type"] === "tool_error");
    const ok = points.find((p) => p.attributes["error.type"] === undefined);
    expect(failed?.attributes["gen_ai.tool.name"]).toBe("fail");
    expect(ok?.attributes["mcp.method.name"]).toBe("tools/call");
    const histogram = ok?.value as { buckets: { boundaries: number[] } } | undefined;
    expect(histogram?.buckets.boundaries).toEqual(MCP_DURATION_BUCKETS);
    for (const p of points) expect(p.attributes["mcp.session.id"]).toBeUndefined();
    const [trace] = world.store.actions.query({ capabilityId: "tools.fail" });
    expect(trace?.error).toContain("cannot: no reason");
    const span = executeToolSpan(await world.spans(), "tools.fail");
    expect(span.attributes["error.type"]).toBe("tool_error");
  });
});

describe.each<Sdk>(["v1", "v2"])("SDK %s client over Streamable HTTP on loopback", (sdk) => {
  it("carries session, server address and port, and continues the trace on the server", async () => {
    const spansFile = join(world.dir, "http-spans.jsonl");
    const server = await httpServer(spansFile);
    closers.push(server.stop);
    const conn = await httpClient(sdk, server.url);
    closers.push(conn.close);
    await registerMcpServer(world.kernel, conn.client, { server: "remote", safety: { echo: "READ" } });
    const frame = await call("remote.echo", { text: "over http" });
    expect(frame.rawData).toBe("over http");
    const span = executeToolSpan(await world.spans(), "remote.echo");
    expect(span.attributes["network.transport"]).toBe("tcp");
    expect(span.attributes["server.address"]).toBe("127.0.0.1");
    expect(span.attributes["server.port"]).toBe(Number(server.url.port));
    expect(typeof span.attributes["mcp.session.id"]).toBe("string");
    expect(span.attributes["mcp.protocol.version"]).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    await eventually(() => serverSpans(spansFile).some((s) => s.name === "tools/call echo"));
    const remote = serverSpans(spansFile).find((s) => s.name === "tools/call echo");
    expect(remote?.parentSpanId).toBe(span.spanContext().spanId);
  });
});

describe("the reference server @modelcontextprotocol/server-everything", () => {
  it("registers its tools with safety from its annotations when trusted, and calls them", async () => {
    const require = createRequire(import.meta.url);
    const script = join(
      dirname(require.resolve("@modelcontextprotocol/server-everything/package.json")),
      "dist/index.js",
    );
    const conn = await stdioClient("v2", ["stdio"], script);
    closers.push(conn.close);
    const binding = await registerMcpServer(world.kernel, conn.client, {
      server: "everything",
      trusted: true,
    });
    expect(binding.capabilityIds).toEqual(expect.arrayContaining(["everything.echo", "everything.get-sum"]));
    expect(world.kernel.registry.get("everything.echo").safetyClass).toBe("READ");
    expect(world.kernel.registry.get("everything.toggle-simulated-logging").safetyClass).toBe("WRITE");
    expect((await call("everything.echo", { message: "hi there" })).rawData).toBe("Echo: hi there");
    expect(world.store.verify("actions").ok).toBe(true);
  });
});

describe("definition pinning", () => {
  it("denies a call after the server changes the tool, and records the change and the denial", async () => {
    const conn = await stdioClient("v1", []);
    closers.push(conn.close);
    const events: string[] = [];
    const binding = await registerMcpServer(world.kernel, conn.client, {
      server: "tools",
      safety: { echo: "READ", rug_pull: "WRITE" },
      onDefinitionEvent: (e) => events.push(`${e.kind}:${e.tool}`),
    });
    const approved = binding.pin("tools.echo")?.approved;
    const { token } = grant("tools.echo");
    expect(token.constraints[DEFINITION_CONSTRAINT]).toBe(approved);
    await world.kernel.invoke(token, { principal: agent, args: { text: "first" } });

    await call("tools.rug_pull", { description: "Echoes, and also sends your text elsewhere." });
    await eventually(() => events.includes("changed:echo"));

    const denied = world.kernel.invoke(token, { principal: agent, args: { text: "second" } });
    await expect(denied).rejects.toBeInstanceOf(PolicyDeniedError);
    await expect(denied).rejects.toMatchObject({ reasonCode: TOOL_DEFINITION_CHANGED });
    // A fresh grant is denied too, until someone approves the new definition.
    expect(() => grant("tools.echo")).toThrow(PolicyDeniedError);

    const deny = world.store.actions.query({ eventType: "deny", capabilityId: "tools.echo" });
    const change = deny.find((t) => t.principalId === "");
    const callDenial = deny.find((t) => t.principalId === agent.principalId && t.tokenId === token.tokenId);
    expect(change?.reasonCode).toBe(TOOL_DEFINITION_CHANGED);
    expect(change?.args["approved_sha256"]).toBe(approved);
    expect(change?.args["current_sha256"]).toBe(binding.pin("tools.echo")?.current);
    expect(callDenial?.reasonCode).toBe(TOOL_DEFINITION_CHANGED);
    expect(world.store.verify("actions").ok).toBe(true);

    binding.approve("echo");
    const after = await call("tools.echo", { text: "approved again" });
    expect(after.rawData).toBe("approved again");
    // The old token stays bound to the old definition.
    await expect(world.kernel.invoke(token, { principal: agent, args: { text: "x" } })).rejects.toMatchObject(
      {
        reasonCode: TOOL_DEFINITION_CHANGED,
      },
    );
  });

  it("denies from the start when a supplied pin does not match what the server lists", async () => {
    const conn = await stdioClient("v2", []);
    closers.push(conn.close);
    await registerMcpServer(world.kernel, conn.client, {
      server: "tools",
      safety: { echo: "READ" },
      pins: { echo: "0".repeat(64) },
    });
    expect(() => grant("tools.echo")).toThrow(PolicyDeniedError);
  });

  it("hashes only the defining fields, canonically", () => {
    const a = toolDefinitionHash({
      name: "t",
      description: "d",
      inputSchema: { type: "object", b: 1, a: 2 },
    });
    const b = toolDefinitionHash({
      inputSchema: { a: 2, type: "object", b: 1 },
      description: "d",
      name: "t",
    });
    const c = toolDefinitionHash({
      name: "t",
      description: "d!",
      inputSchema: { type: "object", b: 1, a: 2 },
    });
    expect(a).toBe(b);
    expect(a).not.toBe(c);
  });
});

describe("governTransport", () => {
  it("governs unmodified client code: denials are JSON-RPC errors, allowed calls are recorded", async () => {
    const spansFile = join(world.dir, "governed-spans.jsonl");
    const governed = governTransport(
      new StdioV1({ command: process.execPath, args: [TOOL_SERVER, "--spans", spansFile], stderr: "pipe" }),
      world.kernel,
      {
        server: "tools",
        safety: { echo: "READ" },
        principal: { principalId: "third-party", roles: ["reader"] },
      },
    );
    // Third-party code: a plain SDK client that knows nothing about Weft.
    const client = new ClientV1({ name: "third-party", version: "1.0.0" });
    await client.connect(governed);
    closers.push(() => client.close());

    const ok = await client.callTool({ name: "echo", arguments: { text: "governed" } });
    expect(ok.content).toEqual([{ type: "text", text: "governed" }]);

    // delete_everything is DESTRUCTIVE (untrusted server): the principal lacks admin.
    const refused = client.callTool({ name: "delete_everything", arguments: {} });
    await expect(refused).rejects.toMatchObject({ code: MCP_DENIED_ERROR_CODE });

    const invokes = world.store.actions.query({ eventType: "invoke", capabilityId: "tools.echo" });
    expect(invokes).toHaveLength(1);
    expect(invokes[0]?.principalId).toBe("third-party");
    const denials = world.store.actions.query({ eventType: "deny", capabilityId: "tools.delete_everything" });
    expect(denials).toHaveLength(1);
    expect(denials[0]?.reasonCode).toBe("missing_role");

    const span = executeToolSpan(await world.spans(), "tools.echo");
    expect(span.attributes["mcp.method.name"]).toBe("tools/call");
    expect(typeof span.attributes["jsonrpc.request.id"]).toBe("string");
    await eventually(() => serverSpans(spansFile).some((s) => s.name === "tools/call echo"));
    expect(serverSpans(spansFile).find((s) => s.name === "tools/call echo")?.parentSpanId).toBe(
      span.spanContext().spanId,
    );
  });
});

describe("servers that misbehave", () => {
  it("a server that dies mid-call is a recorded driver failure and the app keeps running", async () => {
    const conn = await stdioClient("v1", []);
    closers.push(conn.close);
    await registerMcpServer(world.kernel, conn.client, {
      server: "tools",
      safety: { die: "READ", echo: "READ" },
    });
    const err = await call("tools.die", {}).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "DRIVER_ERROR" });
    const [trace] = world.store.actions.query({ capabilityId: "tools.die" });
    expect(trace?.error).not.toBeNull();
    // Later calls fail the same typed way; nothing throws out of band.
    await expect(call("tools.echo", { text: "after death" })).rejects.toMatchObject({ code: "DRIVER_ERROR" });
    expect(world.store.verify("actions").ok).toBe(true);
  });

  it("a call that hangs past the kernel's deadline is aborted, recorded and typed", async () => {
    const conn = await stdioClient("v2", [], RAW_SERVER);
    closers.push(conn.close);
    await registerMcpServer(world.kernel, conn.client, {
      server: "raw",
      safety: { hang: "READ", fine: "READ" },
    });
    await expect(call("raw.hang", {}, { invoke_timeout_s: 0.3 })).rejects.toMatchObject({
      code: "DRIVER_ERROR",
    });
    const [trace] = world.store.actions.query({ capabilityId: "raw.hang" });
    expect(trace?.error).toMatch(/timed out/);
    // The connection is still usable.
    expect((await call("raw.fine", {})).rawData).toBe("ok");
  });

  it("a malformed result is a typed failure, whether the SDK or Weft catches it", async () => {
    const conn = await stdioClient("v1", [], RAW_SERVER);
    closers.push(conn.close);
    await registerMcpServer(world.kernel, conn.client, { server: "raw", safety: { malformed: "READ" } });
    await expect(call("raw.malformed", {})).rejects.toMatchObject({ code: "DRIVER_ERROR" });
    expect(world.store.actions.query({ capabilityId: "raw.malformed" })[0]?.error).not.toBeNull();

    // A client that does not validate (a custom McpToolClient): Weft's own check catches it.
    const raw = fromMcpV1(conn.client);
    const lax: McpToolClient = {
      listTools: raw.listTools,
      callTool: async () => ({ content: "not a list" }),
    };
    const { driver } = await registerMcpServer(world.kernel, lax, {
      server: "lax",
      safety: { malformed: "READ" },
    });
    await expect(
      driver.execute({
        capabilityId: "lax.malformed",
        principalId: "p",
        args: {},
        constraints: {},
        actionId: "a",
      }),
    ).rejects.toBeInstanceOf(McpMalformedResultError);
  });

  it("a tool whose capability id is taken is skipped, recorded, and the rest still work", async () => {
    world.kernel.registry.register({
      capabilityId: "raw.taken",
      name: "Existing",
      description: "Registered by the application first.",
      safetyClass: "READ",
    });
    const conn = await stdioClient("v1", ["--collide"], RAW_SERVER);
    closers.push(conn.close);
    const binding = await registerMcpServer(world.kernel, conn.client, {
      server: "raw",
      safety: { fine: "READ" },
    });
    expect(binding.skipped).toEqual([
      { tool: "taken", capabilityId: "raw.taken", reason: TOOL_NAME_COLLISION },
    ]);
    expect(world.kernel.registry.get("raw.taken").description).toBe("Registered by the application first.");
    const [record] = world.store.actions.query({ capabilityId: "raw.taken", eventType: "deny" });
    expect(record?.reasonCode).toBe(TOOL_NAME_COLLISION);
    expect((await call("raw.fine", {})).rawData).toBe("ok");
  });

  it("rejects a server name that cannot be part of a capability id", async () => {
    const lax: McpToolClient = { listTools: async () => ({ tools: [] }), callTool: async () => ({}) };
    await expect(registerMcpServer(world.kernel, lax, { server: "bad name" })).rejects.toMatchObject({
      code: "INVALID_ARGUMENT",
    });
  });
});
