// `weft audit trace <trace-id>`: one OpenTelemetry trace from the spans chain as a tree with a
// timing waterfall, each span joined with its action record (allow/deny, reason code, outcome).
import type { ChainedStore, SpanTreeNode } from "@weft/chained-store";
import type { ActionTrace } from "@weft/kernel";
import { ATTR_WEFT_ACTION_ID, ATTR_WEFT_DECISION, ATTR_WEFT_REASON_CODE } from "@weft/semconv";
import { bool, parse, STORE_OPTIONS } from "../args.js";
import { type Command, STORE_FLAGS_HELP } from "../command.js";
import { NotFoundError, UsageError } from "../errors.js";
import { parseTraceId } from "../filters.js";
import { pythonJson } from "../json.js";
import { withStore } from "../open-store.js";
import { line, paint, safe } from "../output.js";
import { decisionOf, toExport } from "../records.js";
import { type FlatSpan, flatten, formatDuration, renderWaterfall, traceBounds } from "../waterfall.js";

const NAME = "audit trace";

export const auditTrace: Command = {
  name: NAME,
  help: `Usage: weft audit trace <TRACE_ID> --store PATH [--json]

Show every span of a trace from the spans chain as a tree with a timing
waterfall, joined with the action records of the same actions
(gen_ai.tool.call.id): allow/deny, reason code, failure.
--json prints the tree: {trace_id, span_count, duration_nano, spans: [...]},
each span with its attributes, 'action' (export dict or null) and 'children'.

${STORE_FLAGS_HELP}

Example:
  weft audit trace 4bf92f3577b34da6a3ce929d0e0e4736 --store weft-audit.db
`,
  run: (argv, o) => {
    const p = parse(NAME, argv, STORE_OPTIONS, 1);
    if (bool(p, "help")) {
      o.out(auditTrace.help);
      return 0;
    }
    const raw = p.positionals[0];
    if (raw === undefined) throw new UsageError("missing TRACE_ID argument", NAME);
    const traceId = parseTraceId(NAME, raw);
    return withStore(NAME, p, (store) => {
      const report = traceReport(store, traceId);
      if (bool(p, "json")) {
        line(o, pythonJson(traceJson(report), 2));
        return 0;
      }
      const { flat, actions, start, end } = report;
      const joined = [...actions.byId.values()];
      const denies = [...joined, ...actions.unjoined].filter((t) => t.eventType === "deny").length;
      line(
        o,
        `${paint(o, "bold", `Trace ${traceId}`)}  ${flat.length} span(s), ${joined.length + actions.unjoined.length} action(s)` +
          `${denies ? `, ${denies} denied` : ""}, ${formatDuration(end - start)}`,
      );
      if (flat.length > 0) {
        for (const row of renderWaterfall(o, flat, (s) => annotate(s, actions.byId))) line(o, row);
      }
      if (actions.unjoined.length > 0) {
        line(o);
        line(o, "Action records of this trace without a span:");
        for (const t of actions.unjoined) {
          line(o, `  ${safe(t.actionId)}  ${safe(t.capabilityId)}  ${t.invokedAt}  ${decisionOf(t)}`);
        }
      }
      return 0;
    });
  },
};

export interface TraceReport {
  traceId: string;
  roots: SpanTreeNode[];
  /** Depth-first, children in start order: the waterfall's rows. */
  flat: FlatSpan[];
  actions: { byId: Map<string, ActionTrace>; unjoined: ActionTrace[] };
  start: bigint;
  end: bigint;
}

/** Every span of the trace and the action records joined to them; NotFoundError when neither exists. */
export function traceReport(store: ChainedStore, traceId: string): TraceReport {
  const roots = store.spans.trace(traceId);
  const flat = flatten(roots);
  const actions = joinActions(store, flat, traceId);
  if (flat.length === 0 && actions.unjoined.length === 0) {
    throw new NotFoundError(`no spans or action records for trace ${traceId}`);
  }
  const { start, end } = traceBounds(flat);
  return { traceId, roots, flat, actions, start, end };
}

/** The `--json` tree (also the JSON twin of the serve trace page). */
export function traceJson(report: TraceReport): Record<string, unknown> {
  const { roots, flat, actions, start, end, traceId } = report;
  const toJson = (n: SpanTreeNode): Record<string, unknown> => {
    const s = n.record.payload;
    const id = actionIdOf(n);
    const action = id === undefined ? undefined : actions.byId.get(id);
    return {
      seq: n.record.seq,
      span_id: s.span_id,
      parent_span_id: s.parent_span_id,
      name: s.name,
      kind: s.kind,
      start_time_unix_nano: s.start_time_unix_nano,
      end_time_unix_nano: s.end_time_unix_nano,
      duration_nano: (BigInt(s.end_time_unix_nano) - BigInt(s.start_time_unix_nano)).toString(),
      offset_nano: (BigInt(s.start_time_unix_nano) - start).toString(),
      status: s.status,
      attributes: s.attributes,
      action: action ? toExport(action) : null,
      children: n.children.map(toJson),
    };
  };
  return {
    trace_id: traceId,
    span_count: flat.length,
    action_count: actions.byId.size + actions.unjoined.length,
    start_time_unix_nano: flat.length ? start.toString() : null,
    end_time_unix_nano: flat.length ? end.toString() : null,
    duration_nano: (end - start).toString(),
    spans: roots.map(toJson),
    actions_without_span: actions.unjoined.map(toExport),
  };
}

/** The action a span belongs to: `weft.action.id`, which every kernel span that recorded one carries. */
export function actionIdOf(n: SpanTreeNode): string | undefined {
  const v = n.record.payload.attributes[ATTR_WEFT_ACTION_ID];
  return typeof v === "string" ? v : undefined;
}

function joinActions(
  store: ChainedStore,
  flat: readonly FlatSpan[],
  traceId: string,
): { byId: Map<string, ActionTrace>; unjoined: ActionTrace[] } {
  const byId = new Map<string, ActionTrace>();
  for (const s of flat) {
    const id = actionIdOf(s.node);
    if (id === undefined || byId.has(id)) continue;
    const t = store.actions.get(id);
    if (t) byId.set(id, t);
  }
  const unjoined = store.actions
    .queryRecords({ traceId })
    .map((r) => r.payload)
    .filter((t) => !byId.has(t.actionId));
  return { byId, unjoined };
}

function annotate(
  s: FlatSpan,
  byId: ReadonlyMap<string, ActionTrace>,
): { text: string; style?: "red" | "yellow" | "green" } {
  const attrs = s.node.record.payload.attributes;
  const id = actionIdOf(s.node);
  const t = id === undefined ? undefined : byId.get(id);
  const status = s.node.record.payload.status;
  const err = status.code === "ERROR" ? ` ERROR${status.message ? `: ${safe(status.message)}` : ""}` : "";
  if (t) {
    const decision = decisionOf(t);
    const style = t.eventType === "deny" ? "yellow" : t.error !== null ? "red" : "green";
    return { text: `${decision}  ${safe(t.actionId)}${err}`, style };
  }
  const decision = attrs[ATTR_WEFT_DECISION];
  const reason = attrs[ATTR_WEFT_REASON_CODE];
  if (typeof decision === "string") {
    const text = `${decision}${typeof reason === "string" ? ` ${reason}` : ""}${err}`;
    return { text, style: decision === "deny" ? "yellow" : "green" };
  }
  return err ? { text: err.trim(), style: "red" } : { text: "" };
}
