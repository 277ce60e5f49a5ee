// `weft audit repair`: recovery for a JSONL store whose last line a crash cut short (the store
// refuses to open it: STORE_TORN_TAIL). The torn bytes are moved aside, never deleted.
import { repairJsonlStore } from "@weft/chained-store";
import { bool, parse, STORE_OPTIONS } from "../args.js";
import { type Command, STORE_FLAGS_HELP } from "../command.js";
import { UsageError } from "../errors.js";
import { pythonJson } from "../json.js";
import { formatFlag, storePath } from "../open-store.js";
import { line } from "../output.js";

const NAME = "audit repair";

export const auditRepair: Command = {
  name: NAME,
  help: `Usage: weft audit repair --store PATH.jsonl [--json]

When a process dies in the middle of appending to a JSONL store, its last
line is incomplete and the store refuses to open (STORE_TORN_TAIL). This
copies the torn bytes to PATH.torn-<epoch ms> and truncates the store to its
last complete record (or, when the line is a whole record missing only its
newline, adds the newline). Afterwards 'weft audit verify' checks the rest.
SQLite stores recover by themselves through their journal.

${STORE_FLAGS_HELP}

Example:
  weft audit repair --store weft-audit.jsonl && weft audit verify --store weft-audit.jsonl
`,
  run: (argv, o) => {
    const p = parse(NAME, argv, STORE_OPTIONS, 0);
    if (bool(p, "help")) {
      o.out(auditRepair.help);
      return 0;
    }
    const path = storePath(NAME, p);
    const fmt = formatFlag(NAME, p) ?? (/\.(jsonl|ndjson)$/i.test(path) ? "jsonl" : "sqlite");
    if (fmt !== "jsonl")
      throw new UsageError("repair applies to JSONL stores (pass --store-format jsonl)", NAME);
    const r = repairJsonlStore(path);
    if (bool(p, "json")) {
      line(
        o,
        pythonJson({
          torn: r.torn,
          line: r.line,
          bytes: r.bytes,
          moved_to: r.movedTo,
          completed: r.completed,
        }),
      );
    } else if (!r.torn) {
      line(o, `OK: ${path} has no torn record.`);
    } else if (r.completed) {
      line(o, `Repaired: line ${r.line} was a whole record missing its newline; newline added.`);
    } else {
      line(o, `Repaired: torn line ${r.line} (${r.bytes} bytes) moved to ${r.movedTo}.`);
    }
    return 0;
  },
};
