// Stores for the web-view tests: the agent demo's store (made by running the demo), and copies
// of it altered the ways an attacker would: a payload edited in place (the chain must catch it),
// and correctly chained records whose ids and span names are HTML/script payloads (the pages
// must show them as text).

import { copyFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { openStore, type SpanRecordV1 } from "@weft/chained-store";
import type { ActionTrace } from "@weft/kernel";
import Database from "better-sqlite3";
import { type DemoReportJson, readReport, startDemo } from "./demo.js";

export const SERVE_SECRET = "weft-serve-e2e-secret";
export const HOSTILE_PRINCIPAL = "<img src=x onerror=alert(1)>";
export const HOSTILE_SPAN_NAME = "<script>alert(2)</script>";
export const HOSTILE_TRACE_ID = "0af7651916cd43dd8448eb211c80319c";

export async function runDemo(
  dir: string,
  tasks = 4,
  env: Record<string, string> = {},
): Promise<{ store: string; report: DemoReportJson }> {
  const reportPath = join(dir, "report.json");
  const demo = startDemo(
    ["--out", join(dir, "demo"), "--tasks", String(tasks), "--report-json", reportPath],
    { WEFT_SECRET: SERVE_SECRET, ...env },
  );
  const exit = await demo.exited;
  if (exit.code !== 0) throw new Error(`demo failed (${exit.code}):\n${demo.stdout()}\n${demo.stderr()}`);
  const report = readReport(reportPath);
  return { store: report.files.store, report };
}

export function copyStore(from: string, to: string): string {
  copyFileSync(from, to);
  for (const suffix of ["-wal", "-shm"])
    if (existsSync(from + suffix)) copyFileSync(from + suffix, to + suffix);
  return to;
}

/** Edits one action record's payload in place without re-hashing: what a tamperer would do. */
export function tamperAction(path: string, seq: number): void {
  const db = new Database(path);
  try {
    const row = db.prepare("SELECT payload FROM traces WHERE seq = ?").get(seq) as
      | { payload: string }
      | undefined;
    if (!row) throw new Error(`no record ${seq} to tamper with`);
    const edited = row.payload.replace(/"principal_id":"[^"]*"/, '"principal_id":"someone-else"');
    if (edited === row.payload) throw new Error("tamper found no principal_id to edit");
    db.prepare("UPDATE traces SET payload = ? WHERE seq = ?").run(edited, seq);
  } finally {
    db.close();
  }
}

export function actionTrace(over: Partial<ActionTrace> & { actionId: string }): ActionTrace {
  return {
    capabilityId: "crm.read_customer",
    principalId: "agent-x",
    tokenId: "tok-1",
    invokedAt: "2026-12-01T10:00:00.000001+00:00",
    args: {},
    responseMode: "summary",
    driverId: "crm",
    handleId: null,
    error: null,
    resultSummary: null,
    sensitivity: "NONE",
    eventType: "invoke",
    reasonCode: null,
    ...over,
  };
}

function hostileSpan(actionId: string): SpanRecordV1 {
  return {
    schema: "weft.span.v1",
    trace_id: HOSTILE_TRACE_ID,
    span_id: "b7ad6b7169203331",
    parent_span_id: null,
    trace_state: null,
    name: HOSTILE_SPAN_NAME,
    kind: "INTERNAL",
    start_time_unix_nano: "1796119200000000000",
    end_time_unix_nano: "1796119200005000000",
    duration_nano: "5000000",
    status: { code: "ERROR", message: "<b>bold</b>" },
    attributes: { "gen_ai.tool.call.id": actionId, "weft.principal.id": HOSTILE_PRINCIPAL },
    events: [],
    links: [],
    resource: { attributes: { "service.name": "hostile" }, schema_url: null },
    scope: { name: "weft-e2e", version: null, schema_url: null },
    sampled: true,
    dropped: { attributes: 0, events: 0, links: 0 },
    redacted: [],
  };
}

/** Appends correctly chained records whose principal, capability, reason and span name are markup. */
export function appendHostile(path: string): { seq: number; actionId: string } {
  const store = openStore({ path, secret: SERVE_SECRET });
  try {
    const actionId = "hostile-<svg/onload=alert(3)>";
    const r = store.actions.append(
      actionTrace({
        actionId,
        principalId: HOSTILE_PRINCIPAL,
        capabilityId: '"><script>alert(4)</script>',
        eventType: "deny",
        reasonCode: "<i>reason</i>",
        error: "denied: <iframe src=javascript:alert(5)>",
        tokenId: "",
      }),
    );
    store.spans.append(hostileSpan(actionId));
    return { seq: r.seq, actionId };
  } finally {
    store.close();
  }
}

/** Appends `n` ordinary records (a live app writing while the view is open). */
export function appendRecords(path: string, n: number, tag: string, agentName?: string): number[] {
  const store = openStore({ path, secret: SERVE_SECRET });
  try {
    const traces = Array.from({ length: n }, (_, i) =>
      actionTrace({
        actionId: `${tag}-${i}`,
        principalId: `live-${tag}`,
        invokedAt: nowIso(),
        ...(agentName === undefined ? {} : { agentName }),
      }),
    );
    return store.actions.appendBatch(traces).map((r) => r.seq);
  } finally {
    store.close();
  }
}

/** Now in the stored layout (Python isoformat, microseconds). */
function nowIso(): string {
  return new Date().toISOString().replace(/\.(\d{3})Z$/, ".$1000+00:00");
}
