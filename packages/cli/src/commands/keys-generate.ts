// `weft keys generate`: a fresh Ed25519 note key for signing checkpoints. The private key goes to
// a new file with mode 0600 (never to stdout, never over an existing file); the verifier key —
// what auditors and `weft receipt verify --key` need — is printed.
import { generateNoteKey, isValidKeyName } from "@weft/chained-store";
import { bool, parse, str } from "../args.js";
import type { Command } from "../command.js";
import { UsageError } from "../errors.js";
import { line } from "../output.js";
import { writeOutputFile } from "../proof-files.js";

const NAME = "keys generate";

export const keysGenerate: Command = {
  name: NAME,
  help: `Usage: weft keys generate --name NAME --out FILE [--json]

Create an Ed25519 signing key for checkpoints in the C2SP signed-note format.
FILE gets the private key (PRIVATE+KEY+NAME+ID+...) with mode 0600 and must
not exist yet. The verifier key (NAME+ID+...) is printed: publish it, give it
to auditors, pass it to 'weft receipt verify --key'.
Use it with: WEFT_SIGNING_KEY=FILE (or the store's signingKey option).

Options:
  --name NAME             key name, e.g. example.com/agent-audit (no spaces or '+')
  --out FILE              where to write the private key (created, 0600)
  --json                  print {"name", "vkey", "file"}
  -h, --help              this help

Example:
  weft keys generate --name example.com/agent-audit --out audit-log.key
`,
  run: (argv, o) => {
    const p = parse(
      NAME,
      argv,
      {
        name: { type: "string" },
        out: { type: "string" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      0,
    );
    if (bool(p, "help")) {
      o.out(keysGenerate.help);
      return 0;
    }
    const name = str(p, "name");
    const out = str(p, "out");
    if (name === undefined || name === "") throw new UsageError("--name NAME is required", NAME);
    if (!isValidKeyName(name))
      throw new UsageError("--name must be non-empty, without spaces, '+' or control characters", NAME);
    if (out === undefined || out === "") throw new UsageError("--out FILE is required", NAME);
    const { skey, vkey } = generateNoteKey(name);
    writeOutputFile(out, `${skey}\n`, { mode: 0o600, exclusive: true });
    if (bool(p, "json")) line(o, JSON.stringify({ name, vkey, file: out }));
    else line(o, vkey);
    return 0;
  },
};
