// `weft audit verify`: re-derives every record hash and link. Exit 0 when intact, 1 with the
// first bad record otherwise; text and JSON exactly as the reference prints them for one chain.
import type {
  ChainedStore,
  ChainName,
  NoteVerifierKey,
  TreeVerifyResult,
  VerifyResult,
} from "@weft/chained-store";
import { defaultJobs, PARALLEL_MIN_RECORDS, parseCheckpoint, parseNote } from "@weft/chained-store";
import { bool, nonNegativeInt, oneOf, parse, STORE_OPTIONS, str } from "../args.js";
import { type Command, STORE_FLAGS_HELP } from "../command.js";
import { UsageError } from "../errors.js";
import { pythonJson } from "../json.js";
import { type StoreTarget, withStore } from "../open-store.js";
import { line, type Output, paint } from "../output.js";
import { progressBar } from "../progress.js";
import { readSmallFile, verifierKeyArg } from "../proof-files.js";

const NAME = "audit verify";
const CHAINS = ["actions", "spans", "decisions", "all"] as const;

export const auditVerify: Command = {
  name: NAME,
  help: `Usage: weft audit verify --store PATH [--chain actions|spans|decisions|all] [--jobs N] [--json]

Recompute every record's HMAC and link. Prints 'OK: <detail>' and exits 0
when the chain is intact, or 'TAMPER DETECTED: <detail>' and exits 1 with the
first bad seq. --json prints {"ok", "records_checked", "first_bad_seq", "detail"}.
When a SQLite store's secret fingerprint shows the secret is wrong or missing,
prints 'WRONG SECRET: <detail> [WRONG_SECRET]' and exits 1 without checking
records (--json adds "error": "WRONG_SECRET").
Streams records in constant memory; a progress bar is drawn on a terminal.
With --jobs N > 1, record HMACs are computed by N-1 worker threads while this
one reads rows and checks links and order in sequence; the result is the same
as --jobs 1 (serial). Stores under ${PARALLEL_MIN_RECORDS} records verify serially.
A linear chain cannot detect removal of its newest records (tail truncation);
the Merkle tree and its signed checkpoints can: when the store has them, the
tree is recomputed from the records and every stored checkpoint's signature,
size and root are checked against it ('OK: [tree] ...').

Options:
  --chain NAME            actions (default, the reference's chain) | spans |
                          decisions (captured grant decisions) | all
  --jobs N                threads to use (1..256; default ${defaultJobs()})
  --key VKEY              the log's verifier key (or a file holding it): check
                          checkpoint signatures under it, not the key the store recorded
  --against FILE          a checkpoint kept elsewhere (from 'weft audit checkpoint'):
                          prove the store still extends it (needs --key)

${STORE_FLAGS_HELP}

Examples:
  weft audit verify --store weft-audit.db
  WEFT_SECRET=... weft audit verify --store audit.jsonl --json
  weft audit verify --store weft-audit.db --chain all
`,
  run: (argv, o) => {
    const p = parse(
      NAME,
      argv,
      {
        ...STORE_OPTIONS,
        chain: { type: "string" },
        jobs: { type: "string" },
        key: { type: "string" },
        against: { type: "string" },
      },
      0,
    );
    if (bool(p, "help")) {
      o.out(auditVerify.help);
      return 0;
    }
    const which = oneOf(NAME, "chain", str(p, "chain"), CHAINS) ?? "actions";
    const jobs = nonNegativeInt(NAME, "jobs", str(p, "jobs"), 256) ?? defaultJobs();
    if (jobs < 1) throw new UsageError("--jobs must be at least 1, got '0'", NAME);
    const key = str(p, "key") !== undefined ? verifierKeyArg(NAME, str(p, "key")) : undefined;
    const againstFile = str(p, "against");
    if (againstFile !== undefined && key === undefined)
      throw new UsageError("--against needs --key VKEY to check the checkpoint's signature", NAME);
    const against =
      againstFile !== undefined ? readSmallFile("checkpoint file", againstFile, 1 << 20) : undefined;
    return withStore(
      NAME,
      p,
      (store, target) => {
        // A SQLite store keeps a fingerprint of its secret: a mismatch means a wrong (or missing)
        // secret, and checking records with it would only report seq 0 as "tampered".
        if (store.secretCheck() === "mismatch") return wrongSecret(o, target, bool(p, "json"));
        if (target.secretSource === "none") {
          o.err(
            "warning: no secret given (--secret, WEFT_SECRET or WEAVER_KERNEL_SECRET); a store written with a real secret will not verify\n",
          );
        }
        const names: ChainName[] = which === "all" ? ["actions", "spans", "decisions"] : [which];
        const results = names.map((name) => [name, verifyOne(o, store, name, jobs)] as const);
        const againstChain = against !== undefined ? chainOfCheckpoint(store, against, names) : undefined;
        const trees = names
          .map(
            (name) =>
              [name, verifyTree(store, name, key, name === againstChain ? against : undefined)] as const,
          )
          .filter((t): t is readonly [ChainName, TreeVerifyResult] => t[1] !== undefined);
        const ok = results.every(([, r]) => r.ok) && trees.every(([, t]) => t.ok);
        // What verify could not prove (an unsigned prune checkpoint) goes to stderr, one line each.
        for (const [name, r] of results) {
          for (const w of r.warnings ?? []) o.err(`warning: [${name}] ${w}\n`);
        }
        if (bool(p, "json")) {
          const base = which === "all" ? combined(results) : toJson(results[0]![1]);
          if (trees.length > 0) {
            base["ok"] = ok;
            base["tree"] = Object.fromEntries(trees.map(([n, t]) => [n, treeJson(t)]));
          }
          line(o, pythonJson(base));
        } else {
          for (const [name, r] of results) {
            const head = r.ok ? paint(o, "green", "OK: ") : paint(o, "red", "TAMPER DETECTED: ");
            line(o, head + (which === "all" ? `[${name}] ` : "") + r.detail);
          }
          for (const [name, t] of trees) {
            const head = t.ok ? paint(o, "green", "OK: ") : paint(o, "red", "TAMPER DETECTED: ");
            line(o, `${head}[tree${which === "all" ? ` ${name}` : ""}] ${t.detail}`);
            for (const extra of t.problems.slice(1, 5)) line(o, `  also: ${extra}`);
          }
        }
        return ok ? 0 : 1;
      },
      { needsSecret: true },
    );
  },
};

/** Stable code of the wrong-secret outcome (`--json` "error", and the text line). */
export const WRONG_SECRET = "WRONG_SECRET";

function wrongSecret(o: Output, target: StoreTarget, json: boolean): number {
  const given =
    target.secretSource === "none"
      ? "no secret was given (--secret, WEFT_SECRET or WEAVER_KERNEL_SECRET)"
      : `the secret from ${target.secretSource} is not the one this store was written with`;
  // The fingerprint is an HMAC under the store's secret, so nobody without that secret can make a
  // matching one: if you are sure of your secret, a mismatch means the fingerprint was altered.
  const detail =
    `${given}: it does not match the store's secret fingerprint, so no record was checked. ` +
    "Verify again with the store's secret; if you are sure this is it, the store's metadata was altered.";
  if (json) {
    line(o, pythonJson({ ok: false, records_checked: 0, first_bad_seq: null, detail, error: WRONG_SECRET }));
  } else {
    line(o, `${paint(o, "red", "WRONG SECRET: ")}${detail} [${WRONG_SECRET}]`);
  }
  return 1;
}

function verifyOne(o: Output, store: ChainedStore, name: ChainName, jobs: number): VerifyResult {
  const chain = name === "actions" ? store.actions : name === "spans" ? store.spans : store.decisions;
  const bar = progressBar(o, `verifying ${name}`);
  try {
    return chain.verify({ jobs, onProgress: (done, total) => bar.update(done, total) });
  } finally {
    bar.finish();
  }
}

/** Tree and checkpoint check of one chain, when the store has a tree (or the user asked). */
function verifyTree(
  store: ChainedStore,
  name: ChainName,
  key: NoteVerifierKey | undefined,
  against: string | undefined,
): TreeVerifyResult | undefined {
  const t = store.transparency;
  if (!t) {
    if (key !== undefined || against !== undefined) {
      return {
        ok: false,
        treeSize: 0,
        recordsHashed: 0,
        checkpointsChecked: 0,
        problems: [`${store.format} stores keep no Merkle tree or checkpoints`],
        detail: `${store.format} stores keep no Merkle tree or checkpoints`,
      };
    }
    return undefined;
  }
  // Without checkpoints the tree proves nothing the HMAC chain does not: stay silent then.
  if (t.checkpoints(name).length === 0 && key === undefined && against === undefined) return undefined;
  return t.verify(name, {
    ...(key ? { keys: [key] } : {}),
    ...(against !== undefined && key ? { against: { note: against, keys: [key] } } : {}),
  });
}

/** Which chain an external checkpoint belongs to: the one whose origin it names. */
function chainOfCheckpoint(
  store: ChainedStore,
  note: string,
  names: readonly ChainName[],
): ChainName | undefined {
  if (names.length === 1) return names[0];
  let origin: string;
  try {
    origin = parseCheckpoint(parseNote(note).text).origin;
  } catch {
    return names[0]; // verify reports the malformed note on that chain
  }
  return names.find((n) => store.transparency?.origin(n) === origin) ?? names[0];
}

function treeJson(t: TreeVerifyResult): Record<string, unknown> {
  return {
    ok: t.ok,
    tree_size: t.treeSize,
    checkpoints_checked: t.checkpointsChecked,
    detail: t.detail,
    problems: t.problems,
  };
}

function toJson(r: VerifyResult): Record<string, unknown> {
  const out: Record<string, unknown> = {
    ok: r.ok,
    records_checked: r.recordsChecked,
    first_bad_seq: r.firstBadSeq,
    detail: r.detail,
  };
  if (r.warnings !== undefined) out["warnings"] = r.warnings;
  return out;
}

function combined(results: ReadonlyArray<readonly [ChainName, VerifyResult]>): Record<string, unknown> {
  const bad = results.find(([, r]) => !r.ok);
  const chains: Record<string, unknown> = {};
  for (const [name, r] of results) chains[name] = toJson(r);
  return {
    ok: bad === undefined,
    records_checked: results.reduce((n, [, r]) => n + r.recordsChecked, 0),
    first_bad_seq: bad ? bad[1].firstBadSeq : null,
    detail: results.map(([name, r]) => `${name}: ${r.detail}`).join(" "),
    failed_chain: bad ? bad[0] : null,
    chains,
  };
}
