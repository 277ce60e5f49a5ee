// Reads the weaver-kernel golden vectors (test/fixtures/weaver-kernel, produced by the Python
// reference) and decodes the exported traces into ActionTraces with an independent decoder, so
// these tests do not depend on the kernel's own codec.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ActionTrace, ResultSummary, Sensitivity, TraceEventType } from "@weft/kernel";

export const FIXTURES = join(
  dirname(fileURLToPath(import.meta.url)),
  "../../../../test/fixtures/weaver-kernel",
);

export function readFixture(name: string): string {
  return readFileSync(join(FIXTURES, name), "utf8");
}

interface ExportedTrace {
  action_id: string;
  capability_id: string;
  principal_id: string;
  token_id: string;
  invoked_at: string;
  response_mode: ActionTrace["responseMode"];
  driver_id: string;
  handle_id: string | null;
  sensitivity: Sensitivity;
  event_type: TraceEventType;
  reason_code: string | null;
  error: string | null;
  args: Record<string, unknown>;
  result_summary: ResultSummary | null;
}

export function decodeExported(t: ExportedTrace): ActionTrace {
  return {
    actionId: t.action_id,
    capabilityId: t.capability_id,
    principalId: t.principal_id,
    tokenId: t.token_id,
    invokedAt: t.invoked_at,
    args: t.args,
    responseMode: t.response_mode,
    driverId: t.driver_id,
    handleId: t.handle_id,
    error: t.error,
    resultSummary: t.result_summary,
    sensitivity: t.sensitivity,
    eventType: t.event_type,
    reasonCode: t.reason_code,
  };
}

/** The 12 reference traces, chain order. */
export function vectorTraces(): ActionTrace[] {
  const exported = JSON.parse(readFixture("export.json")) as { traces: ExportedTrace[] };
  return exported.traces.map(decodeExported);
}
