// Weft agent-runtime demo: a support agent whose every tool call goes through the capability
// kernel, instrumented with OpenTelemetry the way an application owner would do it. Spans go to
// the tamper-evident SQLite store (always), an OCSF JSONL file (always) and an OTLP collector
// (when OTEL_EXPORTER_OTLP_ENDPOINT is set). Run after `pnpm run build`:
//
//   node examples/agent-runtime/src/main.ts [--out DIR] [--tasks N] [--report-json FILE]

import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { openStore } from "@weft/chained-store";
import { HmacTokenProvider, Kernel, type Principal } from "@weft/kernel";
import { planTasks, runTask, type StepResult } from "./agent.ts";
import { type DemoOptions, DemoUsageError, parseOptions, USAGE } from "./options.ts";
import { type DemoReport, formatReport } from "./report.ts";
import { startShippingService } from "./shipping-service.ts";
import { startTelemetry } from "./telemetry.ts";
import { buildRegistry, Crm, registerDrivers } from "./tools.ts";

const PRINCIPAL: Principal = {
  principalId: "support-agent-1",
  roles: ["writer"],
  attributes: { tenant: "acme" },
};

/** WEFT_SECRET when set; otherwise a random one kept in <out>/secret so the CLI can verify later. */
function resolveDemoSecret(outDir: string): { secret: string; file: string | null } {
  const fromEnv = process.env["WEFT_SECRET"];
  if (fromEnv) return { secret: fromEnv, file: null };
  const file = join(outDir, "secret");
  if (!existsSync(file)) {
    writeFileSync(file, randomBytes(32).toString("hex"), { mode: 0o600 });
  }
  chmodSync(file, 0o600);
  return { secret: readFileSync(file, "utf8").trim(), file };
}

function countLines(path: string): number {
  if (!existsSync(path)) return 0;
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "").length;
}

async function run(options: DemoOptions): Promise<DemoReport> {
  const outDir = resolve(options.outDir);
  mkdirSync(outDir, { recursive: true });
  const files = { store: join(outDir, "weft.db"), ocsf: join(outDir, "ocsf.jsonl") };
  // Each run starts a fresh store and OCSF file (the secret is kept).
  for (const path of [files.store, `${files.store}-wal`, `${files.store}-shm`, files.ocsf])
    rmSync(path, { force: true });
  const { secret, file: secretFile } = resolveDemoSecret(outDir);

  // One SQLite file, two chains: the kernel's ActionTraces ("actions", weaver-kernel layout) and
  // every ended span ("spans"). Revocations persist in the same file.
  const store = openStore({ path: files.store, secret });
  const telemetry = startTelemetry({ serviceName: "weft-demo-agent-runtime", store, ocsfPath: files.ocsf });
  const shipping = await startShippingService();

  const kernel = new Kernel({
    registry: buildRegistry(),
    kernelId: "support-runtime",
    traceStore: store.actions,
    tokenProvider: new HmacTokenProvider({ secret, revocationStore: store.revocations() }),
    // Every grant decision's inputs go to the "decisions" chain, for `weft policy replay`.
    decisions: { log: store.decisions },
  });
  registerDrivers(kernel, new Crm(), shipping.baseUrl);

  const stdin = options.step ? createInterface({ input: process.stdin }) : null;
  const nextLine = stdin ? stdin[Symbol.asyncIterator]() : null;
  const results: StepResult[] = [];
  const traceIds: string[] = [];
  const tasks = planTasks(options.tasks);
  for (const [i, task] of tasks.entries()) {
    const { traceId, steps } = await runTask(kernel, PRINCIPAL, task);
    traceIds.push(traceId);
    results.push(...steps);
    if (nextLine) {
      process.stdout.write(`weft-demo: task ${i + 1} done ${JSON.stringify({ stats: kernel.stats })}\n`);
      await nextLine.next();
    }
  }
  stdin?.close();

  const stats = kernel.stats;
  const gauges = kernel.gauges();
  const telemetryErrors = await telemetry.shutdown();
  await shipping.close();

  const spansVerify = store.verify("spans");
  const actionsVerify = store.verify("actions");
  const report: DemoReport = {
    tasks: tasks.length,
    toolCalls: results.length,
    traceIds,
    outcomes: {
      ok: results.filter((r) => r.outcome === "ok").length,
      denied: results.filter((r) => r.outcome === "denied").length,
      failed: results.filter((r) => r.outcome === "failed").length,
    },
    spans: { records: store.spans.count(), ok: spansVerify.ok, detail: spansVerify.detail },
    actions: { records: store.actions.count(), ok: actionsVerify.ok, detail: actionsVerify.detail },
    stats,
    gauges,
    denialsByReason: { ...stats.denialsByReason },
    ocsfEvents: countLines(files.ocsf),
    otlp: telemetry.otlp ? { endpoint: telemetry.otlpEndpoint, account: telemetry.otlp.account } : null,
    shippingRequests: shipping.requests(),
    telemetryErrors,
    files: { ...files, secret: secretFile },
  };
  store.close();
  return report;
}

async function main(): Promise<number> {
  let options: DemoOptions | "help";
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    if (error instanceof DemoUsageError) {
      process.stderr.write(`${error.message}\n\n${USAGE}\n`);
      return 2;
    }
    throw error;
  }
  if (options === "help") {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const report = await run(options);
  process.stdout.write(`${formatReport(report)}\n`);
  if (options.reportJson) writeFileSync(options.reportJson, `${JSON.stringify(report, null, 2)}\n`);
  return report.spans.ok && report.actions.ok ? 0 : 1;
}

process.exitCode = await main();
