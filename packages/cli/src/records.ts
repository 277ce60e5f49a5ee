// Action records as the user sees them: the reference's 16-key export dict, plus the small
// derived facts the CLI shows (status, allow/deny decision).
import type { ChainRecord } from "@weft/chained-store";
import { type ActionTrace, type ExportedActionTrace, exportActionTrace } from "@weft/kernel";

export function toExport(trace: ActionTrace): ExportedActionTrace {
  return exportActionTrace(trace);
}

export function statusOf(trace: ActionTrace): "succeeded" | "failed" {
  return trace.error === null ? "succeeded" : "failed";
}

/** "allow", "deny <reason>" or "failed <reason?>": what the kernel decided and how it ended. */
export function decisionOf(trace: ActionTrace): string {
  if (trace.eventType === "deny") return `deny ${trace.reasonCode ?? ""}`.trimEnd();
  if (trace.error !== null) return `allow, failed${trace.reasonCode ? ` ${trace.reasonCode}` : ""}`;
  return "allow";
}

export type ActionRecord = ChainRecord<ActionTrace>;
