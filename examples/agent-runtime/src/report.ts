// The demo's closing report: what was recorded, whether both chains verify, why calls were
// denied, where the files are and which `weft` commands explore them.

import { relative } from "node:path";
import type { StatsSnapshot } from "@weft/kernel";
import type { StepResult } from "./agent.ts";
import type { ExportAccount } from "./export-accounting.ts";

export interface ChainSummary {
  records: number;
  ok: boolean;
  detail: string;
}

export interface DemoReport {
  tasks: number;
  toolCalls: number;
  /** One trace per task, in task order. */
  traceIds: string[];
  outcomes: Record<StepResult["outcome"], number>;
  spans: ChainSummary;
  actions: ChainSummary;
  stats: StatsSnapshot;
  /** kernel.gauges() at the end of the run. */
  gauges: { traceStoreSize: number; liveHandles: number; trackedRevocations: number };
  denialsByReason: Record<string, number>;
  ocsfEvents: number;
  otlp: { endpoint: string; account: ExportAccount } | null;
  shippingRequests: number;
  /** Export failures at shutdown (e.g. collector unreachable); the local files are complete regardless. */
  telemetryErrors: string[];
  files: { store: string; ocsf: string; secret: string | null };
}

function rel(path: string): string {
  const r = relative(process.cwd(), path);
  return r.startsWith("..") ? path : r;
}

function chainLine(label: string, chain: ChainSummary): string {
  const verdict = chain.ok ? "verified OK" : `VERIFICATION FAILED: ${chain.detail}`;
  return `  ${label.padEnd(18)} ${String(chain.records).padStart(5)}   chain ${verdict}`;
}

export function formatReport(report: DemoReport): string {
  const { stats } = report;
  const denials = Object.entries(report.denialsByReason)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([reason, count]) => `${reason} ${count}`);
  const store = rel(report.files.store);
  const secretHint = report.files.secret
    ? `export WEFT_SECRET="$(cat ${rel(report.files.secret)})"`
    : "# WEFT_SECRET is already set in this shell";
  const lines = [
    "",
    `Weft agent-runtime demo: ${report.tasks} task(s), ${report.toolCalls} tool call(s) ` +
      `(${report.outcomes.ok} ok, ${report.outcomes.denied} denied, ${report.outcomes.failed} failed)`,
    "",
    chainLine("spans recorded", report.spans),
    chainLine("actions recorded", report.actions),
    `  kernel stats       grants ${stats.grants}, denials ${stats.denials}, invocations ${stats.invocations} ` +
      `(${stats.invocationFailures} failed), handle stores ${stats.handleStores}, expansions ${stats.expansions}, ` +
      `redactions ${stats.redactionEvents}`,
    `  denials by reason  ${denials.length > 0 ? denials.join(", ") : "none"}`,
    report.otlp
      ? `  OTLP export        ${report.otlp.endpoint}: ${report.otlp.account.exported} span(s) delivered, ` +
        `${report.otlp.account.failed} failed${report.otlp.account.lastError ? ` (last error ${report.otlp.account.lastError})` : ""}`
      : "  OTLP export        off (set OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 to ship to a collector)",
    ...(report.telemetryErrors.length > 0
      ? [
          `  telemetry warnings ${report.telemetryErrors.join(", ")} at shutdown (local store and OCSF file unaffected)`,
        ]
      : []),
    "",
    "Files",
    `  audit store        ${store}   (SQLite; chains "actions" and "spans")`,
    `  OCSF events        ${rel(report.files.ocsf)}   (${report.ocsfEvents} API Activity events, JSON lines)`,
    ...(report.files.secret
      ? [`  HMAC secret        ${rel(report.files.secret)}   (mode 0600; keys tokens and both chains)`]
      : []),
    "",
    "Explore",
    `  ${secretHint}`,
    `  scripts/dev weft audit verify --store ${store} --chain all`,
    `  scripts/dev weft audit list --store ${store}`,
    `  scripts/dev weft audit list --store ${store} --event deny --reason missing_role`,
    `  scripts/dev weft audit stats --store ${store}`,
    `  scripts/dev weft audit trace ${report.traceIds[0] ?? "<TRACE_ID>"} --store ${store}`,
    `  scripts/dev weft audit export --store ${store} --format ocsf`,
    ...(report.otlp
      ? [`  scripts/dev weft audit diff-otlp <collector out dir>/traces.jsonl --store ${store}`]
      : []),
    "",
  ];
  return lines.join("\n");
}
