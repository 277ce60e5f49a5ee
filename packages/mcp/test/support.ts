// Test wiring: real MCP servers as child processes (stdio, or Streamable HTTP on 127.0.0.1), real
// SDK clients of both majors, a real kernel recording into a real SQLite chained store, and the
// real OpenTelemetry SDK with the kernel instrumentation and the W3C propagator.

import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client as ClientV2 } from "@modelcontextprotocol/client";
import { StdioClientTransport as StdioV2 } from "@modelcontextprotocol/client/stdio";
import { Client as ClientV1 } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport as StdioV1 } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport as HttpV1 } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { context, propagation, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  TracerProvider,
} from "@opentelemetry/sdk-trace";
import { type ChainedStore, openStore } from "@weft/chained-store";
import { KernelInstrumentation } from "@weft/instrumentation-kernel";
import { CapabilityRegistry, Kernel } from "@weft/kernel";

const here = dirname(fileURLToPath(import.meta.url));
export const TOOL_SERVER = join(here, "servers", "tool-server.ts");
export const RAW_SERVER = join(here, "servers", "raw-server.ts");
export const SECRET = "mcp-test-secret-0123456789abcdef";

class PullReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

let contextManager: AsyncLocalStorageContextManager | undefined;

export interface World {
  dir: string;
  store: ChainedStore;
  kernel: Kernel;
  exporter: InMemorySpanExporter;
  reader: PullReader;
  meterProvider: MeterProvider;
  spans(): Promise<ReadableSpan[]>;
  close(): Promise<void>;
}

/** A kernel on a fresh SQLite store, instrumented with the real SDK. */
export function createWorld(): World {
  if (contextManager === undefined) {
    contextManager = new AsyncLocalStorageContextManager().enable();
    context.setGlobalContextManager(contextManager);
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  }
  const dir = mkdtempSync(join(tmpdir(), "weft-mcp-"));
  const store = openStore({ path: join(dir, "weft.db"), secret: SECRET });
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  trace.setGlobalTracerProvider(provider);
  const reader = new PullReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const instrumentation = new KernelInstrumentation({ tracerProvider: provider, meterProvider });
  const kernel = new Kernel({
    registry: new CapabilityRegistry(),
    traceStore: store.actions,
    secret: SECRET,
  });
  return {
    dir,
    store,
    kernel,
    exporter,
    reader,
    meterProvider,
    async spans() {
      await provider.forceFlush();
      return exporter.getFinishedSpans();
    },
    async close() {
      instrumentation.disable();
      await provider.shutdown();
      await meterProvider.shutdown();
      trace.disable();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type Sdk = "v1" | "v2";

/** A connected SDK client of the given major talking to a stdio server child process. */
export async function stdioClient(sdk: Sdk, serverArgs: string[], script = TOOL_SERVER) {
  const params = { command: process.execPath, args: [script, ...serverArgs], stderr: "pipe" as const };
  if (sdk === "v1") {
    const transport = new StdioV1(params);
    const client = new ClientV1({ name: "weft-test", version: "1.0.0" });
    await client.connect(transport);
    return { client, transport, close: () => client.close() };
  }
  const transport = new StdioV2(params);
  const client = new ClientV2({ name: "weft-test", version: "1.0.0" });
  await client.connect(transport);
  return { client, transport, close: () => client.close() };
}

/** Starts the Streamable HTTP server on 127.0.0.1 and resolves with its URL. */
export async function httpServer(
  spansFile: string,
): Promise<{ url: URL; child: ChildProcess; stop(): void }> {
  const child = spawn(process.execPath, [TOOL_SERVER, "--transport", "http", "--spans", spansFile], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once("exit", (code) => reject(new Error(`HTTP MCP server exited early (${code})`)));
  });
  return { url: new URL(`http://127.0.0.1:${port}/mcp`), child, stop: () => child.kill("SIGKILL") };
}

export async function httpClient(sdk: Sdk, url: URL) {
  if (sdk === "v1") {
    const transport = new HttpV1(url);
    const client = new ClientV1({ name: "weft-test", version: "1.0.0" });
    await client.connect(transport);
    return { client, close: () => client.close() };
  }
  const { StreamableHTTPClientTransport } = await import("@modelcontextprotocol/client");
  const transport = new StreamableHTTPClientTransport(url);
  const client = new ClientV2({ name: "weft-test", version: "1.0.0" });
  await client.connect(transport);
  return { client, close: () => client.close() };
}

/** Server-side spans the tool server wrote (one JSON object per line). */
export function serverSpans(
  file: string,
): { name: string; traceId: string; spanId: string; parentSpanId: string | null }[] {
  let text = "";
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return [];
  }
  return text
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l));
}

/** Resolves when `predicate` holds, polling; rejects after `ms` so a broken test fails, not hangs. */
export async function eventually(predicate: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await predicate())) {
    if (Date.now() > until) throw new Error("condition not reached in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const agent = {
  principalId: "agent-1",
  roles: ["reader", "writer", "admin"],
  attributes: { tenant: "t1" },
};
export const JUSTIFICATION = "answering the user's question about the account";
