// `weft audit repair`: recovery for a JSONL store whose last line a crash cut short (the store
// refuses to open it: STORE_TORN_TAIL). The torn bytes are moved aside, never deleted.
import { type RepairResult, repairJsonlStore } from "@weft/chained-store";
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
copies the torn bytes, exactly as they were, to PATH.torn-<epoch ms> and
truncates the store to its last complete record (or, when the line is a whole
record missing only its newline, adds the newline at the end of the file).
The spans sidecar (PATH without .jsonl + .spans.jsonl) is repaired the same
way. Afterwards 'weft audit verify' checks the rest.
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
    const files: Array<[string, RepairResult]> = [[path, r]];
    if (r.spans !== null) files.push([r.spans.path, r.spans]);
    if (r.decisions !== null) files.push([r.decisions.path, r.decisions]);
    if (bool(p, "json")) {
      const one = (x: RepairResult) => ({
        torn: x.torn,
        line: x.line,
        bytes: x.bytes,
        moved_to: x.movedTo,
        completed: x.completed,
      });
      line(
        o,
        pythonJson({ ...one(r), spans: r.spans === null ? null : { path: r.spans.path, ...one(r.spans) } }),
      );
      return 0;
    }
    for (const [file, x] of files) {
      if (!x.torn) line(o, `OK: ${file} has no torn record.`);
      else if (x.completed)
        line(o, `Repaired: ${file} line ${x.line} was a whole record missing its newline; newline added.`);
      else line(o, `Repaired: ${file} torn line ${x.line} (${x.bytes} bytes) moved to ${x.movedTo}.`);
    }
    return 0;
  },
};
