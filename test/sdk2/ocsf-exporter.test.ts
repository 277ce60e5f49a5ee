// OcsfSpanExporter under OpenTelemetry SDK 2.x (@opentelemetry/sdk-trace-base 2.12.1,
// @opentelemetry/api 1.9): the structural SpanExporter contract holds with SDK 2's processors,
// kernel spans become valid OCSF 1.8.0 events in a JSONL file and over HTTP, foreign spans are
// skipped, and shutdown flushes. The last test runs a real Kernel with the real instrumentation:
// neither the args nor the token's signature reach any OCSF output, and the span of an action
// and its ActionTrace give the same event.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { context, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BasicTracerProvider, BatchSpanProcessor, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import {
  actionTraceToOcsf,
  exportActionsAsOcsf,
  HttpSink,
  JsonlFileSink,
  OcsfSpanExporter,
} from "@weft/exporter-ocsf";
import { KernelInstrumentation } from "@weft/instrumentation-kernel";
import { CapabilityRegistry, FunctionDriver, Kernel, type Principal } from "@weft/kernel";
import { afterAll, expect, test } from "vitest";
// Shared with the package's own tests: the Ajv validator of the generated 6003 schema.
import { describeErrors, ocsfErrors } from "../../packages/exporter-ocsf/test/helpers/validator.js";

const dir = mkdtempSync(join(tmpdir(), "weft-sdk2-ocsf-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SCOPE = "@weft/instrumentation-kernel";
const CANARY = "CANARY-sdk2-signature-31f7";

function emit(provider: BasicTracerProvider): void {
  const kernel = provider.getTracer(SCOPE);
  const root = provider.getTracer("app").startSpan("agent.run");
  const parent = trace.setSpan(context.active(), root);
  const invoke = kernel.startSpan(
    "execute_tool crm.read_customer",
    {
      kind: SpanKind.INTERNAL,
      attributes: {
        "gen_ai.operation.name": "execute_tool",
        "gen_ai.tool.name": "crm.read_customer",
        "weft.action.id": "act-sdk2-1",
        "weft.kernel.id": "kernel-sdk2",
        "weft.capability.id": "crm.read_customer",
        "weft.principal.id": "agent-ß-✓",
        "weft.token.id": "tok-1",
        "weft.token.signature": CANARY,
        "weft.capability.safety_class": "READ",
        "weft.driver.id": "memory",
      },
    },
    parent,
  );
  invoke.setStatus({ code: SpanStatusCode.OK });
  invoke.end();
  const deny = kernel.startSpan(
    "grant_capability billing.delete_invoice",
    {
      attributes: {
        "weft.kernel.id": "kernel-sdk2",
        "weft.capability.id": "billing.delete_invoice",
        "weft.principal.id": "agent-7",
        "weft.capability.safety_class": "DESTRUCTIVE",
        "weft.decision": "deny",
        "weft.reason_code": "missing_role",
        "weft.action.id": "act-sdk2-2",
        "error.type": "POLICY_DENIED",
      },
    },
    parent,
  );
  deny.setStatus({ code: SpanStatusCode.ERROR, message: CANARY });
  deny.end();
  root.end();
}

function events(text: string): Record<string, unknown>[] {
  expect(text).not.toContain(CANARY);
  const parsed = text
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  for (const event of parsed) expect(describeErrors(ocsfErrors(event))).toBe("");
  return parsed;
}

test("SDK 2.x BatchSpanProcessor → OcsfSpanExporter → JSONL: valid events, shutdown flushes", async () => {
  const path = join(dir, "ocsf.jsonl");
  const exporter = new OcsfSpanExporter({ sink: new JsonlFileSink({ path }) });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ "service.name": "sdk2-svc" }),
    spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 60_000 })],
  });
  emit(provider);
  await provider.shutdown();
  const out = events(readFileSync(path, "utf8"));
  expect(out).toHaveLength(2); // agent.run is not a kernel span
  expect(out[0]).toMatchObject({
    activity_id: 2,
    status_id: 1,
    actor: { user: { uid: "agent-ß-✓" } },
    src_endpoint: { svc_name: "sdk2-svc", uid: "kernel-sdk2" },
    metadata: { uid: "act-sdk2-1", version: "1.8.0" },
  });
  expect(out[1]).toMatchObject({
    activity_name: "Grant",
    severity_id: 4,
    status_id: 2,
    status_code: "missing_role",
  });
  expect((out[0]!.trace as { span: { parent_uid?: string } }).span.parent_uid).toMatch(/^[0-9a-f]{16}$/);
});

test("SDK 2.x SimpleSpanProcessor → OcsfSpanExporter → HTTP sink on loopback", async () => {
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      bodies.push(Buffer.concat(chunks).toString("utf8"));
      res.writeHead(bodies.length === 1 ? 503 : 200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const exporter = new OcsfSpanExporter({
      sink: new HttpSink({ url, initialBackoffMs: 1, maxBackoffMs: 10 }),
    });
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    emit(provider);
    await provider.forceFlush();
    await provider.shutdown();
    // First POST got a 503 and was retried: the accepted bodies hold each event exactly once.
    const accepted = events(bodies.slice(1).join(""));
    expect(accepted.map((e) => (e.metadata as { uid: string }).uid).sort()).toEqual([
      "act-sdk2-1",
      "act-sdk2-2",
    ]);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
});

test("SDK 2.x + real Kernel + KernelInstrumentation → OCSF: no args, no signature; span and trace agree", async () => {
  process.env.WEFT_SECRET ??= "sdk2-ocsf-exporter-test-secret-0123456789";
  const ARGS_CANARY = "CANARY-sdk2-args-8d41";
  const registry = new CapabilityRegistry();
  registry.register({
    capabilityId: "crm.read_customer",
    name: "Read customer",
    description: "Reads customer rows",
    safetyClass: "READ",
    sensitivity: "PII",
    tags: ["crm"],
  });
  registry.register({
    capabilityId: "crm.update_customer",
    name: "Update customer",
    description: "Updates a customer",
    safetyClass: "WRITE",
    sensitivity: "NONE",
    tags: ["crm"],
  });
  registry.register({
    capabilityId: "crm.flaky",
    name: "Flaky",
    description: "Always fails",
    safetyClass: "READ",
    sensitivity: "NONE",
    tags: ["crm"],
  });
  const kernel = new Kernel({ registry, kernelId: "k-sdk2-ocsf" });
  kernel.registerDriver(
    new FunctionDriver("memory", {
      "crm.read_customer": async () => [
        { id: 1, name: "Ada" },
        { id: 2, name: "Grace" },
      ],
      "crm.update_customer": async () => ({ ok: true }),
      "crm.flaky": async () => {
        throw new Error("backend unavailable");
      },
    }),
  );
  const path = join(dir, "kernel-spans.jsonl");
  const exporter = new OcsfSpanExporter({ sink: new JsonlFileSink({ path }), serviceName: "agent-svc" });
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const instrumentation = new KernelInstrumentation({ tracerProvider: provider });
  const signatures: string[] = [];
  try {
    const reader: Principal = { principalId: "agent-ünïcødé-✓", roles: [], attributes: { tenant: "acme" } };
    const request = (capabilityId: string) => ({ capabilityId, goal: "look up a customer", constraints: {} });
    const grant = kernel.grantCapability(request("crm.read_customer"), reader, { justification: "" });
    signatures.push(grant.token.signature);
    const frame = await kernel.invoke(grant.token, {
      principal: reader,
      args: { id: 1, note: ARGS_CANARY },
      responseMode: "table",
    });
    if (frame.handle) kernel.expand(frame.handle, { query: { offset: 0, limit: 1 }, principal: reader });
    const flaky = kernel.grantCapability(request("crm.flaky"), reader, { justification: "" });
    signatures.push(flaky.token.signature);
    await expect(
      kernel.invoke(flaky.token, { principal: reader, args: { note: ARGS_CANARY } }),
    ).rejects.toThrow();
    expect(() =>
      kernel.grantCapability(request("crm.update_customer"), reader, { justification: "needs to update it" }),
    ).toThrow();
    kernel.revokeToken(grant.token.tokenId);
    await provider.forceFlush();
  } finally {
    instrumentation.disable();
    await provider.shutdown();
  }

  const safetyClassOf = (id: string) => registry.get(id)?.safetyClass;
  const tracesPath = join(dir, "kernel-traces.jsonl");
  const traces = kernel.listTraces();
  await exportActionsAsOcsf(traces, { file: tracesPath }, { safetyClassOf, serviceName: "agent-svc" });

  for (const file of [path, tracesPath]) {
    const text = readFileSync(file, "utf8");
    expect(text).not.toContain(ARGS_CANARY);
    for (const signature of signatures) expect(text).not.toContain(signature);
  }
  const spanEvents = events(readFileSync(path, "utf8"));
  const traceEvents = events(readFileSync(tracesPath, "utf8"));
  // grant ×3 (one denied), invoke ×2 (one failed), expand, revoke.
  expect(spanEvents.map((e) => e.activity_name).sort()).toEqual(
    ["Grant", "Grant", "Grant", "Read", "Read", "Read", "Revoke"].sort(),
  );
  expect(traceEvents).toHaveLength(traces.length);

  // Every traced action has a span event with the same uid, activity, outcome and actor.
  const byUid = new Map(spanEvents.map((e) => [(e.metadata as { uid: string }).uid, e]));
  for (const trace of traces) {
    const fromTrace = actionTraceToOcsf(trace, {
      safetyClassOf,
      serviceName: "agent-svc",
    }) as unknown as Record<string, unknown>;
    const fromSpan = byUid.get(trace.actionId);
    expect(fromSpan, `span event for ${trace.eventType} ${trace.actionId}`).toBeDefined();
    for (const key of ["activity_id", "type_uid", "severity_id", "status_id", "status_code", "actor"]) {
      expect([trace.eventType, key, fromSpan?.[key]]).toEqual([trace.eventType, key, fromTrace[key]]);
    }
  }
});
