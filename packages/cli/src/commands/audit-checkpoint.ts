// `weft audit checkpoint`: prints a chain's latest signed checkpoint (C2SP tlog-checkpoint note,
// with any witness cosignatures) exactly as stored, to keep elsewhere or to pass to
// `weft audit verify --against`. `--all` lists every stored checkpoint's size and time.
import type { ChainName } from "@weft/chained-store";
import { bool, oneOf, parse, STORE_OPTIONS, str } from "../args.js";
import { type Command, STORE_FLAGS_HELP } from "../command.js";
import { NotFoundError, UsageError } from "../errors.js";
import { withStore } from "../open-store.js";
import { line } from "../output.js";
import { writeOutputFile } from "../proof-files.js";

const NAME = "audit checkpoint";

export const auditCheckpoint: Command = {
  name: NAME,
  help: `Usage: weft audit checkpoint --store PATH [--chain actions|spans|decisions] [--out FILE] [--all] [--json]

Print the chain's latest signed checkpoint: origin, tree size and root hash,
then the log's Ed25519 signature and any witness cosignatures (C2SP
tlog-checkpoint / signed-note). Keep a copy somewhere the writer host cannot
change; 'weft audit verify --against FILE --key VKEY' later proves the store
still extends it (no records removed from the end, none rewritten).

Options:
  --chain NAME            actions (default) | spans | decisions
  --out FILE              write the note to FILE instead of stdout
  --all                   list every stored checkpoint (size, created, witnesses)

${STORE_FLAGS_HELP}

Examples:
  weft audit checkpoint --store weft-audit.db > checkpoint.txt
  weft audit checkpoint --store weft-audit.db --chain spans --all
`,
  run: (argv, o) => {
    const p = parse(
      NAME,
      argv,
      { ...STORE_OPTIONS, chain: { type: "string" }, out: { type: "string" }, all: { type: "boolean" } },
      0,
    );
    if (bool(p, "help")) {
      o.out(auditCheckpoint.help);
      return 0;
    }
    const chain: ChainName =
      oneOf(NAME, "chain", str(p, "chain"), ["actions", "spans", "decisions"] as const) ?? "actions";
    const out = str(p, "out");
    if (out !== undefined && bool(p, "all")) throw new UsageError("--out and --all cannot be combined", NAME);
    return withStore(NAME, p, (store, target) => {
      const t = store.transparency;
      if (!t)
        throw new NotFoundError(
          `${store.format} stores keep no Merkle tree or checkpoints (use a SQLite store)`,
        );
      if (bool(p, "all")) {
        const cps = t.checkpoints(chain);
        if (bool(p, "json")) {
          line(
            o,
            JSON.stringify(
              cps.map((c) => ({
                size: c.size,
                root: c.root.toString("base64"),
                created_at: c.createdAt,
                cosignatures: c.note.split("\n").filter((l) => l.startsWith("\u2014")).length - 1,
                timestamped: c.timestamp !== null,
              })),
            ),
          );
        } else {
          for (const c of cps)
            line(o, `${String(c.size).padStart(10)}  ${c.createdAt}  ${c.root.toString("base64")}`);
        }
        return 0;
      }
      const cp = t.latestCheckpoint(chain);
      if (!cp)
        throw new NotFoundError(
          `the ${chain} chain has no checkpoint yet (writers sign one when a signing key is set)`,
        );
      if (out !== undefined) {
        writeOutputFile(out, cp.note, { inputs: [target.path] });
        line(o, `Wrote the ${chain} checkpoint of size ${cp.size} to ${out}`);
      } else if (bool(p, "json")) {
        line(
          o,
          JSON.stringify({
            chain,
            origin: t.origin(chain),
            size: cp.size,
            root: cp.root.toString("base64"),
            created_at: cp.createdAt,
            note: cp.note,
          }),
        );
      } else {
        o.out(cp.note);
      }
      return 0;
    });
  },
};
