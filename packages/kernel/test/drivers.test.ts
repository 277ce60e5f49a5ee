import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DriverError, FunctionDriver, HttpDriver, StaticRouter, WeftError } from "../src/index.js";
import { makeKernel, reader } from "./helpers.js";

let server: Server;
let baseUrl: string;
const seen: Array<{ method: string; url: string; body: string; auth: string | undefined }> = [];

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const b = await body(req);
    seen.push({ method: req.method ?? "", url: req.url ?? "", body: b, auth: req.headers.authorization });
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (path === "/customers") {
      res.setHeader("content-type", "application/json");
      res.end(
        JSON.stringify([
          { id: 1, name: "Ann" },
          { id: 2, name: "Bob" },
        ]),
      );
    } else if (path === "/echo") {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ got: JSON.parse(b || "null") }));
    } else if (path === "/boom") {
      res.statusCode = 503;
      res.end("upstream down");
    } else if (path === "/slow") {
      setTimeout(() => res.end("{}"), 2_000).unref();
    } else if (path === "/html") {
      res.setHeader("content-type", "text/html");
      res.end("<html>nope</html>");
    } else if (path === "/big") {
      res.end("x".repeat(10_000));
    } else {
      res.statusCode = 404;
      res.end("no");
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

function httpKernel(routes: ConstructorParameters<typeof HttpDriver>[1]["routes"], timeoutMs = 5_000) {
  const t = makeKernel({
    router: new StaticRouter({ "crm.list": ["http", "memory"], noop: ["http"], "crm.update": ["http"] }),
  });
  t.kernel.registerDriver(
    new HttpDriver("http", {
      baseUrl,
      routes,
      timeoutMs,
      headers: { authorization: "Bearer test-token-abc" },
    }),
  );
  return t;
}

describe("HttpDriver against a real loopback server", () => {
  it("by default POSTs args as a JSON body, keeping them out of the URL", async () => {
    const { kernel } = httpKernel({ "crm.list": { path: "/customers" } });
    const g = kernel.grantCapability({ capabilityId: "crm.list", goal: "g" }, reader);
    const frame = await kernel.invoke(g.token, {
      principal: reader,
      args: { region: "eu", limit: 2 },
      responseMode: "table",
    });
    expect(frame.tablePreview).toEqual([
      { id: 1, name: "Ann" },
      { id: 2, name: "Bob" },
    ]);
    const req = seen.at(-1);
    expect(req?.method).toBe("POST");
    expect(req?.url).toBe("/customers");
    expect(JSON.parse(req?.body ?? "")).toEqual({ region: "eu", limit: 2 });
    expect(req?.auth).toBe("Bearer test-token-abc");
  });

  it("GETs with args as query parameters when the route opts in with argsIn: query, and parses JSON", async () => {
    const { kernel } = httpKernel({ "crm.list": { path: "/customers", argsIn: "query" } });
    const g = kernel.grantCapability({ capabilityId: "crm.list", goal: "g" }, reader);
    const frame = await kernel.invoke(g.token, {
      principal: reader,
      args: { region: "eu", limit: 2 },
      responseMode: "table",
    });
    expect(frame.tablePreview).toEqual([
      { id: 1, name: "Ann" },
      { id: 2, name: "Bob" },
    ]);
    expect(kernel.explain(frame.actionId).driverId).toBe("http");
    const req = seen.at(-1);
    expect(req?.method).toBe("GET");
    expect(req?.url).toBe("/customers?region=eu&limit=2");
    expect(req?.auth).toBe("Bearer test-token-abc");
  });

  it("POSTs args as a JSON body", async () => {
    const { kernel } = httpKernel({ "crm.update": { method: "POST", path: "/echo" } });
    const { writer, JUSTIFICATION } = await import("./helpers.js");
    const g = kernel.grantCapability({ capabilityId: "crm.update", goal: "g" }, writer, {
      justification: JUSTIFICATION,
    });
    const frame = await kernel.invoke(g.token, {
      principal: writer,
      args: { id: 7, name: "Zed" },
      responseMode: "table",
    });
    expect(frame.tablePreview).toEqual([{ got: { id: 7, name: "Zed" } }]);
    expect(seen.at(-1)?.method).toBe("POST");
  });

  it.each([
    [
      "an HTTP error status",
      { path: "/boom" },
      /HTTP 503 from http:\/\/127\.0\.0\.1:\d+\/boom: upstream down/,
    ],
    ["a timeout", { path: "/slow", timeoutMs: 100 }, /timed out after 100 ms/],
    ["a non-JSON body", { path: "/html" }, /non-JSON response .*content-type: text\/html/],
    ["an oversized body", { path: "/big", responseFormat: "text" as const }, /exceeded maxResponseBytes/],
  ])("turns %s into a DriverError and a failure trace", async (_name, route, pattern) => {
    const t = makeKernel({ router: new StaticRouter({ noop: ["http"] }) });
    t.kernel.registerDriver(
      new HttpDriver("http", { baseUrl, routes: { noop: route }, maxResponseBytes: 1000 }),
    );
    const g = t.kernel.grantCapability({ capabilityId: "noop", goal: "g" }, reader);
    const err = await t.kernel
      .invoke(g.token, { principal: reader, args: { q: "x" } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DriverError);
    expect((err as Error).message).toMatch(/^All drivers failed for capability 'noop'\. Last error: /);
    expect((err as Error).message).toMatch(pattern);
    // The URL in messages never carries the query string (args).
    expect((err as Error).message).not.toContain("q=x");
    const [trace] = t.kernel.listTraces();
    expect(trace?.error).toBe((err as Error).message);
    expect(trace?.driverId).toBe("http");
    expect(trace?.resultSummary).toBeNull();
  });

  it("reports a connection failure", async () => {
    const t = makeKernel({ router: new StaticRouter({ noop: ["http"] }) });
    t.kernel.registerDriver(
      new HttpDriver("http", { baseUrl: "http://127.0.0.1:1", routes: { noop: { path: "/x" } } }),
    );
    const g = t.kernel.grantCapability({ capabilityId: "noop", goal: "g" }, reader);
    await expect(t.kernel.invoke(g.token, { principal: reader })).rejects.toThrow(
      /request to http:\/\/127\.0\.0\.1:1\/x failed/,
    );
  });
});

describe("HttpDriver route validation", () => {
  it("rejects argsIn: body on a GET route (fetch cannot send a GET body) and unknown argsIn values", () => {
    expect(
      () => new HttpDriver("h", { baseUrl, routes: { a: { method: "GET", path: "/a", argsIn: "body" } } }),
    ).toThrow(/GET request cannot carry a body/);
    expect(
      () =>
        new HttpDriver("h", {
          baseUrl,
          routes: { a: { path: "/a", argsIn: "url" as unknown as "query" } },
        }),
    ).toThrow(/argsIn must be "body" or "query"/);
  });

  it("keeps the reference behaviour for an explicit GET route without argsIn, with a one-time warning", async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on("warning", onWarning);
    try {
      const { kernel } = httpKernel({ "crm.list": { method: "GET", path: "/customers" } });
      const g = kernel.grantCapability({ capabilityId: "crm.list", goal: "g" }, reader);
      await kernel.invoke(g.token, {
        principal: reader,
        args: { region: "CANARY-7731" },
        responseMode: "table",
      });
      await kernel.invoke(g.token, { principal: reader, args: { region: "us" }, responseMode: "table" });
      expect(seen.at(-1)).toMatchObject({ method: "GET", url: "/customers?region=us" });
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off("warning", onWarning);
    }
    const mine = warnings.filter((w) => (w as Error & { code?: string }).code === "WEFT_HTTP_ARGS_IN_URL");
    expect(mine).toHaveLength(1);
    expect(mine[0]?.message).toContain("query string");
    expect(mine[0]?.message).not.toContain("CANARY-7731");
  });
});

describe("routing and fallback", () => {
  it("falls back in route order when the first driver fails, and counts the fallback", async () => {
    const { kernel } = httpKernel({ "crm.list": { path: "/boom" } });
    const g = kernel.grantCapability({ capabilityId: "crm.list", goal: "g" }, reader);
    const frame = await kernel.invoke(g.token, { principal: reader, responseMode: "table" });
    expect(frame.tablePreview).toHaveLength(4); // served by the memory driver
    expect(kernel.explain(frame.actionId)).toMatchObject({ driverId: "memory", error: null });
    expect(kernel.stats).toMatchObject({ invocations: 1, fallbackActivations: 1, invocationFailures: 0 });
  });

  it("fails with the last error when every driver fails, counting failure and fallback", async () => {
    const t = makeKernel({ router: new StaticRouter({ noop: ["a", "missing", "b"] }) });
    t.kernel.registerDriver(
      new FunctionDriver("a", {
        noop: () => {
          throw new Error("a broke");
        },
      }),
    );
    t.kernel.registerDriver(
      new FunctionDriver("b", {
        noop: () => {
          throw new WeftError("X", "b broke");
        },
      }),
    );
    const g = t.kernel.grantCapability({ capabilityId: "noop", goal: "g" }, reader);
    await expect(t.kernel.invoke(g.token, { principal: reader })).rejects.toThrow(
      "All drivers failed for capability 'noop'. Last error: b broke",
    );
    expect(t.kernel.listTraces()[0]).toMatchObject({
      driverId: "b",
      eventType: "invoke",
      tokenId: g.token.tokenId,
    });
    expect(t.kernel.stats).toMatchObject({ invocations: 1, invocationFailures: 1, fallbackActivations: 1 });
  });

  it("by default routes to every registered driver that handles the capability, in registration order", async () => {
    const t = makeKernel();
    t.kernel.registerDriver(new FunctionDriver("second", { "crm.list": () => [{ id: 99 }] }));
    const plan = t.kernel.router.route("crm.list", t.kernel.drivers);
    expect(plan.driverIds).toEqual(["memory", "second"]);
    expect(t.kernel.router.route("nothing.handles.this", t.kernel.drivers).driverIds).toEqual([]);
    const g = t.kernel.grantCapability({ capabilityId: "crm.list", goal: "g" }, reader);
    const f = await t.kernel.invoke(g.token, { principal: reader, responseMode: "table" });
    expect(f.tablePreview).toHaveLength(4);
  });

  it("enforces the signed invoke_timeout_s deadline per driver", async () => {
    const t = makeKernel({ router: new StaticRouter({ noop: ["slow", "fast"] }) });
    let aborted = false;
    t.kernel.registerDriver(
      new FunctionDriver("slow", {
        noop: (_a, ctx) =>
          new Promise((resolve) => {
            const timer = setTimeout(resolve, 5_000);
            ctx.signal?.addEventListener("abort", () => {
              aborted = true;
              clearTimeout(timer);
            });
          }),
      }),
    );
    t.kernel.registerDriver(new FunctionDriver("fast", { noop: () => "ok" }));
    const g = t.kernel.grantCapability(
      { capabilityId: "noop", goal: "g", constraints: { invoke_timeout_s: 0.05 } },
      reader,
    );
    const f = await t.kernel.invoke(g.token, { principal: reader });
    expect(f.facts).toEqual(["ok"]);
    expect(aborted).toBe(true);
    expect(t.kernel.stats.fallbackActivations).toBe(1);
    const bad = t.kernel.grantCapability(
      { capabilityId: "noop", goal: "g", constraints: { invoke_timeout_s: -1 } },
      reader,
    );
    await expect(t.kernel.invoke(bad.token, { principal: reader })).rejects.toThrow(
      /Invalid 'invoke_timeout_s' constraint/,
    );
  });

  it("reports a missing driver plan as a traced failure", async () => {
    const t = makeKernel({ router: new StaticRouter({}, ["nobody"]) });
    const g = t.kernel.grantCapability({ capabilityId: "noop", goal: "g" }, reader);
    await expect(t.kernel.invoke(g.token, { principal: reader })).rejects.toThrow(
      "Last error: No drivers available.",
    );
    expect(t.kernel.listTraces()[0]?.driverId).toBe("");
  });
});
