// `weft audit list`: filtered action records. Piped output is byte-compatible with the reference
// (`weaver-kernel audit list`); on a terminal the table also shows seq, event and reason, coloured.
import { FILTER_OPTIONS, parse, STORE_OPTIONS, bool } from "../args.js";
import { type Command, FILTER_FLAGS_HELP, STORE_FLAGS_HELP } from "../command.js";
import { parseFilters } from "../filters.js";
import { pythonJson } from "../json.js";
import { withStore } from "../open-store.js";
import { line, type Output, padEnd, paint, pyPad, safe, truncate } from "../output.js";
import { type ActionRecord, statusOf, toExport } from "../records.js";

const NAME = "audit list";

export const auditList: Command = {
  name: NAME,
  summary: "list action records matching filters",
  help: `Usage: weft audit list --store PATH [filters] [--json]

List action records (grants denied, invocations, expansions), ordered by
(invoked_at, action_id). Piped output matches 'weaver-kernel audit list';
on a terminal the table adds SEQ, EVENT and REASON columns.

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
      const records = store.actions.queryRecords(filters.query);
      if (bool(p, "json")) {
        line(o, pythonJson(records.map((r) => toExport(r.payload)), 2));
        return 0;
      }
      if (records.length === 0) {
        line(o, "No traces matched.");
        return 0;
      }
      o.out(o.isTTY ? terminalTable(o, records) : referenceTable(records));
      return 0;
    });
  },
};

/** Exactly the reference's layout: fixed-width columns separated by one space. */
function referenceTable(records: readonly ActionRecord[]): string {
  const header = `${pyPad("ACTION_ID", 38)} ${pyPad("CAPABILITY", 28)} ${pyPad("PRINCIPAL", 18)} ${pyPad("STATUS", 9)} INVOKED_AT`;
  const rows = records.map((r) => {
    const t = r.payload;
    return `${pyPad(t.actionId, 38)} ${pyPad(t.capabilityId, 28)} ${pyPad(t.principalId, 18)} ${pyPad(statusOf(t), 9)} ${t.invokedAt}`;
  });
  return `${[header, "-".repeat(header.length), ...rows].join("\n")}\n`;
}

function terminalTable(o: Output, records: readonly ActionRecord[]): string {
  const cols: Array<[string, number]> = [
    ["SEQ", Math.max(3, String(records.at(-1)?.seq ?? 0).length)],
    ["ACTION_ID", 38],
    ["CAPABILITY", 28],
    ["PRINCIPAL", 18],
    ["STATUS", 9],
    ["INVOKED_AT", 32],
    ["EVENT", 6],
    ["REASON", 0],
  ];
  const cell = (text: string, width: number): string =>
    width === 0 ? safe(text) : padEnd(truncate(safe(text), width), width);
  const header = cols.map(([h, w]) => cell(h, w)).join(" ");
  const out = [paint(o, "bold", header.trimEnd()), paint(o, "dim", "-".repeat(header.trimEnd().length))];
  for (const r of records) {
    const t = r.payload;
    const status = statusOf(t);
    const values = [
      String(r.seq).padStart(cols[0]?.[1] ?? 3),
      t.actionId,
      t.capabilityId,
      t.principalId,
      status,
      t.invokedAt,
      t.eventType,
      t.reasonCode ?? "",
    ];
    const cells = values.map((v, i) => cell(v, cols[i]?.[1] ?? 0));
    cells[4] = paint(o, status === "failed" ? "red" : "green", cells[4] ?? "");
    if (t.eventType === "deny") cells[6] = paint(o, "yellow", cells[6] ?? "");
    out.push(cells.join(" ").trimEnd());
  }
  return `${out.join("\n")}\n`;
}
