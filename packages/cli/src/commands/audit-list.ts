// `weft audit list`: filtered action records. Piped output is byte-compatible with the reference
// (`weaver-kernel audit list`); on a terminal the table also shows seq, event and reason, coloured.
import { bool, FILTER_OPTIONS, parse, STORE_OPTIONS } from "../args.js";
import { type Command, FILTER_FLAGS_HELP, STORE_FLAGS_HELP } from "../command.js";
import { parseFilters } from "../filters.js";
import { pythonJsonElement } from "../json.js";
import { withStore } from "../open-store.js";
import { type Output, padEnd, padStart, paint, pyPad, safe, truncate } from "../output.js";
import { type ActionRecord, statusOf, toExportWithTrace, traceIdLookup } from "../records.js";
import { lineSink } from "../sink.js";

const NAME = "audit list";

export const auditList: Command = {
  name: NAME,
  help: `Usage: weft audit list --store PATH [filters] [--json]

List action records (grants denied, invocations, expansions), ordered by
(invoked_at, action_id). Piped output matches 'weaver-kernel audit list'
(except: no match prints 'No action records matched.'); on a terminal the
table adds SEQ, EVENT and REASON columns. --json dicts end with "trace_id"
when the spans chain holds the action's span.

${FILTER_FLAGS_HELP}

${STORE_FLAGS_HELP}

Examples:
  weft audit list --store weft-audit.db --principal agent-7 --since 1h --limit 50
  weft audit list --store weft-audit.db --event deny --reason missing_role --json | jq length
`,
  run: (argv, o) => {
    const p = parse(NAME, argv, { ...STORE_OPTIONS, ...FILTER_OPTIONS }, 0);
    if (bool(p, "help")) {
      o.out(auditList.help);
      return 0;
    }
    const filters = parseFilters(NAME, p);
    return withStore(NAME, p, (store) => {
      // No filter at all: stream the whole chain in seq order (the reference's order) in constant
      // memory; with filters the store answers from its indexes in (invoked_at, action_id) order.
      const records: Iterable<ActionRecord> =
        Object.keys(filters.query).length === 0
          ? store.actions.iterate()
          : store.actions.queryRecords(filters.query);
      const sink = lineSink(o, undefined);
      if (bool(p, "json")) {
        // json.dumps(list, indent=2): "[", elements joined by ",\n", "]"; an empty list is "[]"
        let prev: string | undefined;
        const traceIdOf = traceIdLookup(store);
        for (const r of records) {
          if (prev === undefined) sink.write("[");
          else sink.write(`${prev},`);
          prev = pythonJsonElement(toExportWithTrace(r.payload, traceIdOf), 2);
        }
        if (prev === undefined) sink.write("[]");
        else sink.write(`${prev}\n]`);
        sink.close();
        return 0;
      }
      const seqWidth = Math.max(3, String(store.actions.head()?.seq ?? 0).length);
      let n = 0;
      for (const r of records) {
        if (n++ === 0) sink.write(o.isTTY ? terminalHeader(o, seqWidth) : referenceHeader());
        sink.write(o.isTTY ? terminalRow(o, r, seqWidth) : referenceRow(r));
      }
      // "Action records", not the reference's "traces": in Weft a trace is an OpenTelemetry trace,
      // and a store whose spans chain is full while its actions chain is empty needs saying so.
      if (n === 0) sink.write("No action records matched.");
      sink.close();
      if (n === 0 && store.actions.count() === 0 && store.spans.count() > 0) {
        o.err(
          `note: the actions chain is empty, but the spans chain holds ${store.spans.count()} span(s) ` +
            "('weft audit trace TRACE_ID' shows them). To record actions, give the Kernel the store's " +
            "actions chain (traceStore: store.actions) or start the app with --import @weft/node/register.\n",
        );
      }
      return 0;
    });
  },
};

/** Exactly the reference's layout: fixed-width columns separated by one space, a dashed rule. */
function referenceHeader(): string {
  const header = `${pyPad("ACTION_ID", 38)} ${pyPad("CAPABILITY", 28)} ${pyPad("PRINCIPAL", 18)} ${pyPad("STATUS", 9)} INVOKED_AT`;
  return `${header}\n${"-".repeat(header.length)}`;
}

function referenceRow(r: ActionRecord): string {
  const t = r.payload;
  return `${pyPad(t.actionId, 38)} ${pyPad(t.capabilityId, 28)} ${pyPad(t.principalId, 18)} ${pyPad(statusOf(t), 9)} ${t.invokedAt}`;
}

const TERMINAL_COLUMNS: ReadonlyArray<readonly [string, number]> = [
  ["ACTION_ID", 38],
  ["CAPABILITY", 28],
  ["PRINCIPAL", 18],
  ["STATUS", 9],
  ["INVOKED_AT", 32],
  ["EVENT", 6],
  ["REASON", 0],
];

function cell(text: string, width: number): string {
  return width === 0 ? safe(text) : padEnd(truncate(safe(text), width), width);
}

function terminalHeader(o: Output, seqWidth: number): string {
  const header = [padStart("SEQ", seqWidth), ...TERMINAL_COLUMNS.map(([h, w]) => cell(h, w))]
    .join(" ")
    .trimEnd();
  return `${paint(o, "bold", header)}\n${paint(o, "dim", "-".repeat(header.length))}`;
}

function terminalRow(o: Output, r: ActionRecord, seqWidth: number): string {
  const t = r.payload;
  const status = statusOf(t);
  const values = [
    t.actionId,
    t.capabilityId,
    t.principalId,
    status,
    t.invokedAt,
    t.eventType,
    t.reasonCode ?? "",
  ];
  const cells = values.map((v, i) => cell(v, TERMINAL_COLUMNS[i]?.[1] ?? 0));
  cells[3] = paint(o, status === "failed" ? "red" : "green", cells[3] ?? "");
  if (t.eventType === "deny") cells[5] = paint(o, "yellow", cells[5] ?? "");
  return [String(r.seq).padStart(seqWidth), ...cells].join(" ").trimEnd();
}
