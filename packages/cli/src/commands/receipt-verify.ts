// `weft receipt verify`: checks a tlog-proof receipt offline — no store, no HMAC secret — against
// the log's verifier key and optionally a C2SP tlog-policy (log keys, witnesses, quorum). Prints
// what the receipt proves, and the record it carries; exit 1 with one line when it does not hold.
import {
  MAX_RECEIPT_BYTES,
  parseTlogPolicy,
  type TlogPolicy,
  type TrustOptions,
  verifyReceipt,
} from "@weft/chained-store";
import { bool, parse, str } from "../args.js";
import type { Command } from "../command.js";
import { UsageError } from "../errors.js";
import { line, paint } from "../output.js";
import { readSmallFile, verifierKeyArg } from "../proof-files.js";

const NAME = "receipt verify";

export const receiptVerify: Command = {
  name: NAME,
  help: `Usage: weft receipt verify FILE --key VKEY [--policy FILE] [--origin ORIGIN] [--json]

Verify a receipt written by 'weft audit prove' (c2sp.org/tlog-proof@v1)
without the store or its secret: the record bytes it carries hash to the leaf,
the leaf is in the tree, the tree's checkpoint is signed by the log key, and,
with --policy, enough witnesses cosigned it (C2SP tlog-policy quorum).
Prints 'OK: ...' and exits 0, or 'INVALID: <why>' and exits 1.

Options:
  --key VKEY              the log's verifier key (name+id+key), or a file holding it;
                          optional when the policy file has 'log' lines
  --policy FILE           tlog-policy file: log, witness, group and quorum lines
  --origin ORIGIN         also require this checkpoint origin (e.g. weft/<id>/actions)
  --json                  print {"ok", "origin", "size", "index", "seq", "witnesses", "record"}
  -h, --help              this help

Examples:
  weft receipt verify action.tlog-proof --key "$(cat audit-log.vkey)"
  weft receipt verify action.tlog-proof --policy witnesses.policy
`,
  run: (argv, o) => {
    const p = parse(
      NAME,
      argv,
      {
        key: { type: "string" },
        policy: { type: "string" },
        origin: { type: "string" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      1,
    );
    if (bool(p, "help")) {
      o.out(receiptVerify.help);
      return 0;
    }
    const file = p.positionals[0];
    if (file === undefined || file === "") throw new UsageError("missing receipt FILE argument", NAME);
    let policy: TlogPolicy | undefined;
    const policyFile = str(p, "policy");
    if (policyFile !== undefined) {
      try {
        policy = parseTlogPolicy(readSmallFile("policy file", policyFile, 1 << 20));
      } catch (e) {
        if ((e as { code?: string }).code === "POLICY_MALFORMED")
          throw new UsageError(`--policy: ${(e as Error).message}`, NAME);
        throw e;
      }
    }
    const keyFlag = str(p, "key");
    if (keyFlag === undefined && (policy === undefined || policy.logs.length === 0)) {
      throw new UsageError("--key VKEY is required (or a --policy file with a 'log' line)", NAME);
    }
    const trust: TrustOptions = {
      ...(keyFlag !== undefined ? { logKeys: [verifierKeyArg(NAME, keyFlag)] } : {}),
      ...(policy ? { policy } : {}),
      ...(str(p, "origin") !== undefined ? { origin: str(p, "origin") as string } : {}),
    };
    const text = readSmallFile("receipt", file, MAX_RECEIPT_BYTES);
    let r: ReturnType<typeof verifyReceipt>;
    try {
      r = verifyReceipt(text, trust);
    } catch (e) {
      const why = (e as Error).message;
      if (bool(p, "json"))
        line(o, JSON.stringify({ ok: false, error: why, code: (e as { code?: string }).code ?? null }));
      else line(o, paint(o, "red", "INVALID: ") + why);
      return 1;
    }
    const witnesses = [...r.cosignatures.entries()].map(([name, c]) => ({
      name,
      time: new Date(Number(c.timestamp) * 1000).toISOString(),
    }));
    if (bool(p, "json")) {
      line(
        o,
        JSON.stringify({
          ok: true,
          origin: r.checkpoint.origin,
          size: r.checkpoint.size,
          root: r.checkpoint.root.toString("base64"),
          index: r.index,
          seq: r.seq,
          prev_hash: r.prevHash,
          log_key: r.signedBy.map((k) => k.name),
          witnesses,
          record: JSON.parse(r.payloadText) as unknown,
        }),
      );
    } else {
      line(
        o,
        `${paint(o, "green", "OK: ")}record seq ${r.seq} is entry ${r.index} of ${r.checkpoint.origin} (tree size ${r.checkpoint.size}), signed by ${r.signedBy.map((k) => k.name).join(", ")}` +
          (policy
            ? `; witnesses: ${witnesses.map((w) => w.name).join(", ") || "none needed"} (quorum ${policy.quorum})`
            : ""),
      );
      line(o, r.payloadText);
    }
    return 0;
  },
};
