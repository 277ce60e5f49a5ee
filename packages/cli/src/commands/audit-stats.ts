// `weft audit stats`: counts of action records by event, outcome, reason, principal and capability
// over a window, streamed so a large store costs time, not memory.
import type { ChainedStore } from "@weft/chained-store";
import type { ActionTrace } from "@weft/kernel";
import { bool, FILTER_OPTIONS, nonNegativeInt, parse, STORE_OPTIONS, str } from "../args.js";
import { type Command, FILTER_FLAGS_HELP, STORE_FLAGS_HELP } from "../command.js";
import { UsageError } from "../errors.js";
import { type Filters, parseFilters } from "../filters.js";
import { withStore } from "../open-store.js";
import { line, type Output, paint, renderTable, safe } from "../output.js";
import { type Stats, StatsAccumulator } from "../stats.js";

const NAME = "audit stats";
const { limit: _limit, offset: _offset, ...WINDOW_FILTERS } = FILTER_OPTIONS;

export const auditStats: Command = {
  name: NAME,
  help: `Usage: weft audit stats --store PATH [--since T] [--until T] [filters] [--top N] [--json]

Count the action records in a window by event type, outcome, reason code,
principal and capability. Text output shows the top N (default 10) of the
long lists; --json gives every count:
  {total, first_invoked_at, last_invoked_at, window, spans, by_event,
   by_outcome, by_reason, by_principal, by_capability}

Options:
  --top N                 rows per list in text output (default 10)

${FILTER_FLAGS_HELP.replace(/\n {2}--limit N --offset N.*$/m, "")}

${STORE_FLAGS_HELP}

Example:
  weft audit stats --store weft-audit.db --since 24h
`,
  run: (argv, o) => {
    const p = parse(NAME, argv, { ...STORE_OPTIONS, ...WINDOW_FILTERS, top: { type: "string" } }, 0);
    if (bool(p, "help")) {
      o.out(auditStats.help);
      return 0;
    }
    const top = nonNegativeInt(NAME, "top", str(p, "top")) ?? 10;
    if (top === 0) throw new UsageError("--top must be at least 1", NAME);
    const filters = parseFilters(NAME, p);
    return withStore(NAME, p, (store) => {
      const s = collectStats(store, filters);
      if (bool(p, "json")) {
        line(o, JSON.stringify(s, null, 2));
        return 0;
      }
      printText(o, s, filters, top);
      return 0;
    });
  },
};

function* source(store: ChainedStore, f: Filters): Iterable<ActionTrace> {
  if (!f.narrowed) {
    for (const r of store.actions.iterate()) yield r.payload;
    return;
  }
  for (const r of store.actions.queryRecords(f.query)) yield r.payload;
}

/** The counts `--json` prints; also the overview of `weft audit serve` for the same filters. */
export function collectStats(store: ChainedStore, f: Filters): Stats {
  const acc = new StatsAccumulator();
  for (const t of source(store, f)) acc.add(t);
  return acc.result({ since: f.since?.iso ?? null, until: f.until?.iso ?? null }, countSpans(store, f));
}

/** Spans in the same window (and of the same principal / trace, when those filters are given). */
export function countSpans(store: ChainedStore, f: Filters): number {
  return Object.keys(f.spanQuery).length > 0 ? store.spans.query(f.spanQuery).length : store.spans.count();
}

/** What the counts cover: every filter given, or "whole store" when there is none. */
export function scopeLabel(s: Stats, f: Filters): string {
  const q = f.query;
  const parts: string[] = [];
  if (q.traceId !== undefined) parts.push(`trace ${q.traceId}`);
  if (q.principalId !== undefined) parts.push(`principal ${safe(q.principalId)}`);
  if (q.capabilityId !== undefined) parts.push(`capability ${safe(q.capabilityId)}`);
  if (q.eventType !== undefined) parts.push(`event ${q.eventType}`);
  if (q.outcome !== undefined) parts.push(`status ${q.outcome}`);
  if (q.reasonCode !== undefined) parts.push(`reason ${safe(q.reasonCode)}`);
  if (s.window.since || s.window.until)
    parts.push(`window ${s.window.since ?? "…"} .. ${s.window.until ?? "…"}`);
  return parts.length === 0 ? "whole store" : parts.join(", ");
}

function printText(o: Output, s: Stats, f: Filters, top: number): void {
  line(o, `${paint(o, "bold", `${s.total} action record(s)`)} (${scopeLabel(s, f)}); ${s.spans} span(s)`);
  if (s.total > 0) line(o, `first ${s.first_invoked_at}, last ${s.last_invoked_at}`);
  const section = (title: string, counts: Record<string, number>): void => {
    const entries = Object.entries(counts);
    if (entries.length === 0) return;
    line(o);
    const rows = entries.slice(0, top).map(([k, n]) => [safe(k === "" ? "(none)" : k), String(n)]);
    o.out(
      renderTable(
        o,
        [{ header: title }, { header: "COUNT", align: "right" }],
        rows.map((r) => [r[0] ?? "", r[1] ?? ""]),
      ),
    );
    if (entries.length > top)
      line(o, paint(o, "dim", `… ${entries.length - top} more (use --top or --json)`));
  };
  section("EVENT", s.by_event);
  section("OUTCOME", s.by_outcome);
  section("REASON", s.by_reason);
  section("PRINCIPAL", s.by_principal);
  section("CAPABILITY", s.by_capability);
}
