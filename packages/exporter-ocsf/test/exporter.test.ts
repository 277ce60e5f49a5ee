// OcsfSpanExporter under OTel SDK 3: kernel spans reach every sink as valid OCSF events, in
// order, with the right ExportResult; shutdown flushes and never hangs; exportActionsAsOcsf
// writes a store's traces. No canary (args, token signature) reaches any output.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { BatchSpanProcessor, SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  ExportResultCode,
  exportActionsAsOcsf,
  HttpSink,
  JsonlFileSink,
  type OcsfExportResult,
  OcsfSpanExporter,
  StdoutSink,
} from "../src/index.js";
import { respond, startServer } from "./helpers/server.js";
import { emitSpans, KERNEL_SPANS, RESOURCE, recordSpans } from "./helpers/spans.js";
import { CANARY_ARGS, CANARY_SIGNATURE, TRACES } from "./helpers/traces.js";
import { describeErrors, ocsfErrors } from "./helpers/validator.js";
import { vectorTraces } from "./helpers/vectors.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "weft-ocsf-exp-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const KERNEL_COUNT = Object.keys(KERNEL_SPANS).length;

function parseLines(text: string): Record<string, unknown>[] {
  return text
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

function expectCleanAndValid(text: string, count: number): Record<string, unknown>[] {
  expect(text).not.toContain(CANARY_ARGS);
  expect(text).not.toContain(CANARY_SIGNATURE);
  const parsed = parseLines(text);
  expect(parsed).toHaveLength(count);
  for (const event of parsed) expect(describeErrors(ocsfErrors(event))).toBe("");
  return parsed;
}

function collect(stream: PassThrough): () => string {
  const chunks: Buffer[] = [];
  stream.on("data", (c: Buffer) => chunks.push(c));
  return () => Buffer.concat(chunks).toString("utf8");
}

function exportOnce(exporter: OcsfSpanExporter, spans: Parameters<OcsfSpanExporter["export"]>[0]) {
  return new Promise<OcsfExportResult>((resolve) => exporter.export(spans, resolve));
}

describe("OcsfSpanExporter (SDK 3)", () => {
  it("BatchSpanProcessor → JSONL file: every kernel span, valid, and shutdown flushes", async () => {
    const path = join(dir, "ocsf.jsonl");
    const sink = new JsonlFileSink({ path });
    const exporter = new OcsfSpanExporter({ sink });
    const provider = new TracerProvider({
      resource: RESOURCE,
      spanProcessors: [new BatchSpanProcessor({ exporter, scheduledDelayMillis: 60_000 })],
    });
    emitSpans(provider);
    await provider.shutdown(); // must flush the batch and fsync/close the file
    const events = expectCleanAndValid(readFileSync(path, "utf8"), KERNEL_COUNT);
    expect(events.every((e) => e.class_uid === 6003)).toBe(true);
    expect(sink.stats().fsyncs).toBeGreaterThanOrEqual(1);
    expect(exporter.stats()).toMatchObject({
      spansSeen: KERNEL_COUNT + 1,
      spansSkipped: 1,
      eventsExported: KERNEL_COUNT,
    });
  });

  it("SimpleSpanProcessor → stdout sink keeps span end order", async () => {
    const stream = new PassThrough();
    const text = collect(stream);
    const exporter = new OcsfSpanExporter({ sink: new StdoutSink({ stream }) });
    const provider = new TracerProvider({
      resource: RESOURCE,
      spanProcessors: [new SimpleSpanProcessor({ exporter })],
    });
    emitSpans(provider);
    await provider.forceFlush();
    await provider.shutdown();
    const events = expectCleanAndValid(text(), KERNEL_COUNT);
    const expectedOps = Object.values(KERNEL_SPANS).map((s) => s.name);
    expect(events.map((e) => (e.trace as { span: { operation: string } }).span.operation)).toEqual(
      expectedOps,
    );
  });

  it("HTTP sink: success → SUCCESS; events arrive valid and clean", async () => {
    const server = await startServer((_n, res) => respond(res, 200));
    try {
      const exporter = new OcsfSpanExporter({ sink: new HttpSink({ url: server.url }) });
      const result = await exportOnce(exporter, await recordSpans());
      expect(result.code).toBe(ExportResultCode.SUCCESS);
      await exporter.shutdown();
      expectCleanAndValid(server.received.map((r) => r.body).join(""), KERNEL_COUNT);
    } finally {
      await server.close();
    }
  });

  it("HTTP sink 400 → FAILED with a typed error, no retry", async () => {
    const server = await startServer((_n, res) => respond(res, 400));
    try {
      const exporter = new OcsfSpanExporter({ sink: new HttpSink({ url: server.url, initialBackoffMs: 1 }) });
      const result = await exportOnce(exporter, await recordSpans());
      expect(result.code).toBe(ExportResultCode.FAILED);
      expect(result.error).toMatchObject({ code: "OCSF_SINK_FAILED", status: 400 });
      expect(server.received).toHaveLength(1);
      await exporter.shutdown();
    } finally {
      await server.close();
    }
  });

  it("a server that never answers: export FAILED after timeouts, shutdown does not hang", async () => {
    const server = await startServer(() => {});
    try {
      const exporter = new OcsfSpanExporter({
        sink: new HttpSink({ url: server.url, timeoutMs: 100, maxRetries: 1, initialBackoffMs: 1 }),
      });
      const result = await exportOnce(exporter, await recordSpans());
      expect(result.code).toBe(ExportResultCode.FAILED);
      expect(result.error?.message).toContain("no response");
      await exporter.shutdown();
      const after = await exportOnce(exporter, await recordSpans());
      expect(after).toMatchObject({ code: ExportResultCode.FAILED, error: { code: "OCSF_EXPORTER_CLOSED" } });
    } finally {
      await server.close();
    }
  });

  it("shutdown during a hanging request is bounded by shutdownTimeoutMs", async () => {
    const server = await startServer(() => {});
    try {
      const exporter = new OcsfSpanExporter({
        sink: new HttpSink({ url: server.url, timeoutMs: 600_000 }),
        shutdownTimeoutMs: 200,
      });
      const pending = exportOnce(exporter, await recordSpans());
      while (server.received.length === 0) await new Promise((r) => setTimeout(r, 5));
      await exporter.shutdown(); // would wait 10 minutes without the bound
      expect((await pending).code).toBe(ExportResultCode.FAILED);
    } finally {
      await server.close();
    }
  });

  it("a batch of only foreign spans succeeds without touching the sink", async () => {
    const path = join(dir, "none.jsonl");
    const exporter = new OcsfSpanExporter({ sink: new JsonlFileSink({ path }) });
    const foreign = (await recordSpans()).filter((s) => s.name === "agent.run");
    expect((await exportOnce(exporter, foreign)).code).toBe(ExportResultCode.SUCCESS);
    await exporter.shutdown();
    expect(readFileSync(path, "utf8")).toBe("");
  });
});

describe("exportActionsAsOcsf", () => {
  const traces = [...vectorTraces(), ...Object.values(TRACES)];

  it("writes every trace, in order, to a JSONL file it owns", async () => {
    const path = join(dir, "actions.jsonl");
    const result = await exportActionsAsOcsf(traces, { file: path }, { batchSize: 5 });
    expect(result.exported).toBe(traces.length);
    const events = expectCleanAndValid(readFileSync(path, "utf8"), traces.length);
    expect(events.map((e) => (e.metadata as { uid: string }).uid)).toEqual(traces.map((t) => t.actionId));
  });

  it("writes to a caller's sink without closing it", async () => {
    const stream = new PassThrough();
    const text = collect(stream);
    const sink = new StdoutSink({ stream });
    await exportActionsAsOcsf(traces.slice(0, 3), sink);
    await exportActionsAsOcsf(traces.slice(3), sink); // still open
    expectCleanAndValid(text(), traces.length);
  });

  it("posts to a URL", async () => {
    const server = await startServer((_n, res) => respond(res, 200));
    try {
      await exportActionsAsOcsf(traces, { url: server.url }, { serviceName: "svc" });
      expectCleanAndValid(server.received.map((r) => r.body).join(""), traces.length);
    } finally {
      await server.close();
    }
  });

  it("propagates sink failure as a typed error", async () => {
    const server = await startServer((_n, res) => respond(res, 403));
    try {
      await expect(exportActionsAsOcsf(traces, { url: server.url })).rejects.toMatchObject({
        code: "OCSF_SINK_FAILED",
        status: 403,
      });
    } finally {
      await server.close();
    }
  });
});
