// Real kernel spans: a Kernel instrumented by @weft/instrumentation-kernel on an SDK 3 provider,
// mirrored next to an in-memory exporter. Every span the kernel causes is in the store with the
// same content, the chain verifies, and the action id / principal queries find the tool call.

import { join } from "node:path";
import { context } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { KernelInstrumentation } from "@weft/instrumentation-kernel";
import { CapabilityRegistry, FunctionDriver, Kernel, type Principal } from "@weft/kernel";
import { afterAll, expect, test } from "vitest";
import { ChainedSpanProcessor } from "../src/index.js";
import { cleanupTempDirs, expectedRecord, TEST_SECRET, tempDir } from "./helpers.js";

afterAll(cleanupTempDirs);
// The kernel's token HMAC key; fixed so the test does not depend on the environment.
process.env.WEFT_SECRET ??= "span-mirror-kernel-test-secret-0123456789";

test("every span of a real instrumented kernel is mirrored identically; the chain verifies; action and principal queries find it", async () => {
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  const exporter = new InMemorySpanExporter();
  const mirror = new ChainedSpanProcessor({
    path: join(tempDir(), "kernel.db"),
    storeOptions: { secret: TEST_SECRET },
  });
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter }), mirror] });
  const instrumentation = new KernelInstrumentation({ tracerProvider: provider });

  const registry = new CapabilityRegistry();
  registry.register({
    capabilityId: "crm.read_customer",
    name: "Read customer",
    description: "Reads customer rows",
    safetyClass: "READ",
    sensitivity: "PII",
    allowedFields: ["id", "name"],
    tags: ["crm"],
  });
  registry.register({
    capabilityId: "crm.delete_customer",
    name: "Delete customer",
    description: "Deletes a customer",
    safetyClass: "DESTRUCTIVE",
    sensitivity: "NONE",
    tags: ["crm"],
  });
  const kernel = new Kernel({ registry, kernelId: "mirror-kernel" });
  kernel.registerDriver(
    new FunctionDriver("memory", {
      "crm.read_customer": async () => [
        { id: 1, name: "Ada" },
        { id: 2, name: "Grace" },
      ],
      "crm.delete_customer": async () => ({ ok: true }),
    }),
  );
  const principal: Principal = { principalId: "agent-7", roles: [], attributes: { tenant: "acme" } };

  const grant = kernel.grantCapability(
    { capabilityId: "crm.read_customer", goal: "look up", constraints: {} },
    principal,
    {
      justification: "customer asked for their record",
    },
  );
  const frame = await kernel.invoke(grant.token, { principal, args: { id: 1 }, responseMode: "summary" });
  expect(() =>
    kernel.grantCapability(
      { capabilityId: "crm.delete_customer", goal: "delete", constraints: {} },
      principal,
      {
        justification: "",
      },
    ),
  ).toThrow();
  kernel.revokeToken(grant.token.tokenId);
  await provider.forceFlush();

  const exported = exporter.getFinishedSpans();
  expect(exported.length).toBeGreaterThanOrEqual(4);
  const stored = [...mirror.chain.iterate()].map((r) => r.payload);
  expect(stored.length).toBe(exported.length);
  const bySpanId = new Map(stored.map((r) => [r.span_id, r]));
  for (const span of exported) expect(bySpanId.get(span.spanContext().spanId)).toEqual(expectedRecord(span));
  expect(mirror.store.verify("spans").ok).toBe(true);

  const tool = mirror.chain.query({ actionId: frame.actionId }).map((r) => r.payload);
  expect(tool.map((r) => r.name)).toEqual(["execute_tool crm.read_customer"]);
  expect(mirror.chain.query({ principalId: "agent-7" }).length).toBe(
    stored.filter((r) => r.attributes["weft.principal.id"] === "agent-7").length,
  );
  // Never the token signature, in any record.
  expect(JSON.stringify(stored)).not.toContain(grant.token.signature);

  instrumentation.disable();
  await provider.shutdown();
  context.disable();
});
