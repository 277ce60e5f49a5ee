// Action records as the user sees them: the reference's 16-key export dict, plus the small
// derived facts the CLI shows (status, allow/deny decision).
import type { ChainedStore, ChainRecord } from "@weft/chained-store";
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

/** An export dict plus, for Weft stores, the OpenTelemetry trace the action ran in. */
export type ExportWithTrace = ExportedActionTrace & { trace_id?: string };

/**
 * Finds action ids' trace ids in the spans chain (the kernel's `execute_tool`/deny span carries
 * the action id as `gen_ai.tool.call.id`). Looks nothing up when the spans chain is empty, so
 * stores written by the reference print exactly the reference's dict.
 */
export function traceIdLookup(store: ChainedStore): (actionId: string) => string | undefined {
  if (store.spans.count() === 0) return () => undefined;
  return (actionId) => store.spans.query({ actionId, limit: 1 })[0]?.payload.trace_id;
}

/** The export dict with `trace_id` appended (last key) when the spans chain has the action. */
export function toExportWithTrace(
  trace: ActionTrace,
  traceIdOf: (actionId: string) => string | undefined,
): ExportWithTrace {
  const dict: ExportWithTrace = toExport(trace);
  const traceId = traceIdOf(trace.actionId);
  if (traceId !== undefined) dict.trace_id = traceId;
  return dict;
}
