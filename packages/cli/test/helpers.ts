// Test helpers: run the BUILT `weft` binary as a child process (plain pipes, or under a real
// pseudo-terminal via util-linux `script`), and produce real stores with the kernel, the
// instrumentation and the chained span processor.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { context, type Span } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  TracerProvider,
} from "@opentelemetry/sdk-trace";
import { openStore } from "@weft/chained-store";
import { KernelInstrumentation } from "@weft/instrumentation-kernel";
import {
  CapabilityRegistry,
  type Frame,
  FunctionDriver,
  HmacTokenProvider,
  Kernel,
  type Principal,
  WeftError,
  withAgent,
} from "@weft/kernel";
import { ChainedSpanProcessor } from "@weft/span-processor-chained";

const here = dirname(fileURLToPath(import.meta.url));
export const REPO = resolve(here, "../../..");
export const BIN = join(REPO, "packages/cli/dist/bin.js");
export const FIXTURES = join(REPO, "test/fixtures/weaver-kernel");
export const SECRET = "cli-test-secret-0123456789abcdef";

/** Builds the CLI (and what it references) unless dist is newer than every source file. */
export function ensureBuilt(): void {
  const tsc = join(REPO, "node_modules/.bin/tsc");
  execFileSync(tsc, ["-b", join(REPO, "packages/cli")], { cwd: REPO, stdio: "inherit" });
  if (!existsSync(BIN)) throw new Error(`build did not produce ${BIN}`);
  if (statSync(BIN).size === 0) throw new Error(`${BIN} is empty`);
}

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Environment without the developer's secrets/stores, so tests see only what they set. */
export function cleanEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of [
    "WEFT_SECRET",
    "WEAVER_KERNEL_SECRET",
    "WEFT_STORE",
    "WEFT_DEBUG",
    "NO_COLOR",
    "FORCE_COLOR",
  ]) {
    delete env[k];
  }
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

export function weft(args: readonly string[], env: Record<string, string | undefined> = {}): Run {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    env: cleanEnv(env),
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * Runs weft with stdout and stderr on a real pseudo-terminal (`script -qec`). The pty turns
 * "\n" into "\r\n"; that is undone here. `script -e` returns the child's exit code.
 */
export function weftTty(args: readonly string[], env: Record<string, string | undefined> = {}): Run {
  const cmd = [process.execPath, BIN, ...args].map(shellQuote).join(" ");
  const r = spawnSync("script", ["-qec", `stty cols 160 2>/dev/null; ${cmd}`, "/dev/null"], {
    env: cleanEnv({ TERM: "xterm-256color", ...env }),
    encoding: "utf8",
  });
  return { code: r.status, stdout: r.stdout.replace(/\r\n/g, "\n"), stderr: r.stderr };
}

export function tempDir(prefix = "weft-cli-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

let contextManager: AsyncLocalStorageContextManager | undefined;

const READ = "crm.read_customer";
const WRITE = "crm.update_customer";
const DELETE = "crm.delete_customer";
const FLAKY = "crm.flaky";

/** The agent of the store's agent task (`withAgent`), and the model's id for its read. */
export const AGENT = { name: "plan-bot", id: "agent-plan-1", conversationId: "conv-cli-1" } as const;
export const READ_TOOL_CALL_ID = "call_read_0001";

export interface KernelStoreInfo {
  path: string;
  traceId: string;
  /** Action ids by what they are. */
  actions: { read: string; expand: string; failed: string; denyGrant: string };
  principal: string;
  other: string;
  /** The same spans as the SDK handed them to an (in-memory) exporter. */
  exported: ReadableSpan[];
}

/**
 * A real store: the kernel records ActionTraces into the store's actions chain, the kernel
 * instrumentation makes spans, and the ChainedSpanProcessor mirrors them into its spans chain.
 * One agent task (`invoke_agent plan`) runs a read, an expansion of its handle, a failing call
 * and a denied grant; a second principal makes one more read outside that trace.
 */
export async function makeKernelStore(path: string, secret = SECRET): Promise<KernelStoreInfo> {
  if (contextManager === undefined) {
    contextManager = new AsyncLocalStorageContextManager().enable();
    context.setGlobalContextManager(contextManager);
  }
  const store = openStore({ path, secret, synchronous: "NORMAL" });
  const processor = new ChainedSpanProcessor({ store, flushOnExit: false });
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    spanProcessors: [processor, new SimpleSpanProcessor({ exporter })],
    resource: resourceFromAttributes({ "service.name": "cli-test-agent", "host.name": "test-host" }),
  });
  const instrumentation = new KernelInstrumentation({ tracerProvider: provider });
  instrumentation.enable();

  const registry = new CapabilityRegistry();
  registry.register({
    capabilityId: READ,
    name: "Read customer",
    description: "Reads customers",
    safetyClass: "READ",
  });
  registry.register({
    capabilityId: WRITE,
    name: "Update",
    description: "Updates a customer",
    safetyClass: "WRITE",
  });
  registry.register({
    capabilityId: DELETE,
    name: "Delete",
    description: "Deletes",
    safetyClass: "DESTRUCTIVE",
  });
  registry.register({ capabilityId: FLAKY, name: "Flaky", description: "Always fails", safetyClass: "READ" });
  const kernel = new Kernel({
    registry,
    kernelId: "cli-test-kernel",
    traceStore: store.actions,
    tokenProvider: new HmacTokenProvider({ secret }),
  });
  kernel.registerDriver(
    new FunctionDriver("memory", {
      [READ]: async () => [
        { id: 1, name: "Ada" },
        { id: 2, name: "Grace" },
        { id: 3, name: "Édith" },
      ],
      [WRITE]: async () => ({ ok: true }),
      [DELETE]: async () => ({ ok: true }),
      [FLAKY]: async () => {
        throw new Error("backend unavailable");
      },
    }),
  );
  const principal: Principal = { principalId: "agent-7", roles: [], attributes: {} };
  const other: Principal = { principalId: "agent-ops", roles: [], attributes: {} };
  const tracer = provider.getTracer("cli-test-agent");

  // The agent task runs as one agent step: its records and spans carry the agent.
  const result = await withAgent(AGENT, () =>
    tracer.startActiveSpan("invoke_agent plan", async (span: Span) => {
      // redacted by the span processor before hashing; the SDK's exporters still see the value
      span.setAttribute("http.request.header.authorization", "Bearer sk-cli-test-0123456789abcdef");
      try {
        const g = kernel.grantCapability(
          { capabilityId: READ, goal: "look up", constraints: {} },
          principal,
          {
            justification: "customer asked",
          },
        );
        const frame = (await kernel.invoke(g.token, {
          principal,
          args: { id: 1 },
          responseMode: "summary",
          toolCallId: READ_TOOL_CALL_ID,
        })) as Frame;
        const table = kernel.expand(frame.handle!, {
          query: { offset: 0, limit: 2, fields: ["id"], filter: {} },
          principal,
        });
        const gf = kernel.grantCapability(
          { capabilityId: FLAKY, goal: "report", constraints: {} },
          principal,
          {
            justification: "weekly report",
          },
        );
        let failed = "";
        try {
          await kernel.invoke(gf.token, { principal, args: {}, responseMode: "summary" });
        } catch (err) {
          if (!(err instanceof WeftError)) throw err;
        }
        failed = kernel.listTraces().find((t) => t.capabilityId === FLAKY)?.actionId ?? "";
        let denyGrant = "";
        try {
          kernel.grantCapability({ capabilityId: DELETE, goal: "delete", constraints: {} }, principal, {
            justification: "cleanup of old customers",
          });
        } catch (err) {
          if (!(err instanceof WeftError)) throw err;
        }
        denyGrant = kernel.listTraces().find((t) => t.eventType === "deny")?.actionId ?? "";
        return {
          traceId: span.spanContext().traceId,
          read: frame.actionId,
          expand: table.actionId,
          failed,
          denyGrant,
        };
      } finally {
        span.end();
      }
    }),
  );
  const g2 = kernel.grantCapability({ capabilityId: READ, goal: "ops", constraints: {} }, other, {
    justification: "ops check",
  });
  await kernel.invoke(g2.token, { principal: other, args: { id: 2 }, responseMode: "summary" });

  await provider.forceFlush();
  const exported = [...exporter.getFinishedSpans()];
  instrumentation.disable();
  await provider.shutdown();
  try {
    store.close();
  } catch {
    // the processor may already have closed the store it was given
  }
  const { traceId, ...actions } = result;
  return { path, traceId, actions, principal: principal.principalId, other: other.principalId, exported };
}
