// `weft audit show <action-id|seq>`: one action record in full (the reference's indented export
// dict). A bare number that is not an action id is taken as a seq, which is what `verify` reports.
import { bool, parse, STORE_OPTIONS } from "../args.js";
import { type Command, STORE_FLAGS_HELP } from "../command.js";
import { NotFoundError, UsageError } from "../errors.js";
import { pythonJson } from "../json.js";
import { withStore } from "../open-store.js";
import { line, paint } from "../output.js";
import { type ActionRecord, toExportWithTrace, traceIdLookup } from "../records.js";

const NAME = "audit show";

export const auditShow: Command = {
  name: NAME,
  help: `Usage: weft audit show <ACTION_ID|SEQ> --store PATH [--json]

Print one action record as the reference's export dict (indented JSON), plus
"trace_id" (last) when the spans chain holds the action's span.
The argument is looked up as an action id first, then as a seq number
(e.g. the first_bad_seq that 'weft audit verify' reported).
On a terminal, a record found by seq is preceded by its seq and hashes.
--envelope prints the chain envelope instead: {seq, prev_hash, record_hash,
record} (with --json on one object; the record is the export dict).

${STORE_FLAGS_HELP}

Examples:
  weft audit show 3f0c9a4e-8d2b-4c55-9d7e-2a1b0c9d8e7f --store weft-audit.db
  weft audit show 4 --store audit.jsonl
`,
  run: (argv, o) => {
    const p = parse(NAME, argv, { ...STORE_OPTIONS, envelope: { type: "boolean" } }, 1);
    if (bool(p, "help")) {
      o.out(auditShow.help);
      return 0;
    }
    const key = p.positionals[0];
    if (key === undefined || key === "") throw new UsageError("missing ACTION_ID or SEQ argument", NAME);
    return withStore(NAME, p, (store) => {
      let record = store.actions.getRecord(key);
      const trace = record?.payload;
      if (record === undefined && /^\d+$/.test(key)) record = store.actions.getBySeq(Number(key));
      const payload = record?.payload;
      if (payload === undefined) throw new NotFoundError(`no action record with action id or seq '${key}'`);
      if (bool(p, "envelope") && record !== undefined) {
        line(o, pythonJson(envelopeJson(record, traceIdLookup(store)), 2));
        return 0;
      }
      if (o.isTTY && !bool(p, "json") && trace === undefined && record !== undefined) {
        line(
          o,
          paint(
            o,
            "dim",
            `# seq ${record.seq}  prev_hash ${record.prevHash}  record_hash ${record.recordHash}`,
          ),
        );
      }
      line(o, pythonJson(toExportWithTrace(payload, traceIdLookup(store)), 2));
      return 0;
    });
  },
};

/** `{seq, prev_hash, record_hash, record}`: a record with the hashes that chain it (record as `--json`). */
export function envelopeJson(
  r: ActionRecord,
  traceIdOf: (actionId: string) => string | undefined,
): Record<string, unknown> {
  return {
    seq: r.seq,
    prev_hash: r.prevHash,
    record_hash: r.recordHash,
    record: toExportWithTrace(r.payload, traceIdOf),
  };
}
