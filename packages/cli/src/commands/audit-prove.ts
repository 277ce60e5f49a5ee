// `weft audit prove`: a c2sp.org/tlog-proof@v1 receipt for one record: its canonical bytes in
// `extra`, the inclusion proof and the signed checkpoint. Anyone with the log's verifier key checks
// it offline with `weft receipt verify` (or any tlog-proof verifier); no store, no HMAC secret.
import type { ChainName } from "@weft/chained-store";
import { bool, nonNegativeInt, oneOf, parse, STORE_OPTIONS, str } from "../args.js";
import { type Command, STORE_FLAGS_HELP } from "../command.js";
import { NotFoundError, UsageError } from "../errors.js";
import { withStore } from "../open-store.js";
import { line } from "../output.js";
import { writeOutputFile } from "../proof-files.js";

const NAME = "audit prove";

export const auditProve: Command = {
  name: NAME,
  help: `Usage: weft audit prove --store PATH (--seq N | --action-id ID) [--chain actions|spans|decisions] [--out FILE]

Write a receipt (c2sp.org/tlog-proof@v1, '.tlog-proof') proving that one
record is in the chain's Merkle tree as signed by its latest checkpoint
(with its witness cosignatures). The record's canonical bytes travel in the
receipt, so 'weft receipt verify FILE --key VKEY' shows and checks it
offline. The proof is verified against the checkpoint before it is written.

Options:
  --seq N                 the record's seq (= its index in the tree)
  --action-id ID          the action record with this id (actions chain)
  --chain NAME            actions (default) | spans | decisions
  --checkpoint-size N     prove against the stored checkpoint of this size
  --out FILE              write the receipt to FILE (default: stdout)

${STORE_FLAGS_HELP}

Examples:
  weft audit prove --store weft-audit.db --action-id 3f0c9a4e-8d2b --out action.tlog-proof
  weft audit prove --store weft-audit.db --chain spans --seq 1200 > span.tlog-proof
`,
  run: (argv, o) => {
    const p = parse(
      NAME,
      argv,
      {
        ...STORE_OPTIONS,
        chain: { type: "string" },
        seq: { type: "string" },
        "action-id": { type: "string" },
        out: { type: "string" },
        "checkpoint-size": { type: "string" },
      },
      0,
    );
    if (bool(p, "help")) {
      o.out(auditProve.help);
      return 0;
    }
    const chain: ChainName =
      oneOf(NAME, "chain", str(p, "chain"), ["actions", "spans", "decisions"] as const) ?? "actions";
    const seqFlag = nonNegativeInt(NAME, "seq", str(p, "seq"));
    const actionId = str(p, "action-id");
    if ((seqFlag === undefined) === (actionId === undefined))
      throw new UsageError("give exactly one of --seq N or --action-id ID", NAME);
    if (actionId !== undefined && chain !== "actions")
      throw new UsageError("--action-id names an action record: use it with --chain actions", NAME);
    if (seqFlag !== undefined && !Number.isSafeInteger(seqFlag))
      throw new UsageError("--seq is out of range", NAME);
    const cpSize = nonNegativeInt(NAME, "checkpoint-size", str(p, "checkpoint-size"));
    const out = str(p, "out");
    return withStore(NAME, p, (store, target) => {
      const t = store.transparency;
      if (!t) throw new NotFoundError(`${store.format} stores keep no Merkle tree (use a SQLite store)`);
      let seq = seqFlag;
      if (actionId !== undefined) {
        const rec = store.actions.getRecord(actionId);
        // The action_id column is an index: believe it only when the hashed payload agrees.
        if (rec === undefined || rec.payload.actionId !== actionId) {
          throw new NotFoundError(`no action record with action id '${actionId}'`);
        }
        seq = rec.seq;
      }
      const receipt = t.receipt(chain, seq as number, cpSize === undefined ? {} : { checkpointSize: cpSize });
      if (out !== undefined) {
        writeOutputFile(out, receipt, { inputs: [target.path] });
        line(o, `Wrote a receipt for ${chain} record ${seq} to ${out}`);
      } else {
        o.out(receipt);
      }
      return 0;
    });
  },
};
