// `weft policy replay`: what would a candidate policy have decided on the recorded grant
// decisions? Verifies the decisions chain first (a report must cite a chain that verified),
// loads the candidate module, replays the window deterministically and gates on the flips.
// Exit 0 no gated change, 3 gated changes, 1 error or a chain that does not verify, 2 usage.
import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { ChainedStore } from "@weft/chained-store";
import * as kernel from "@weft/kernel";
import {
  type DecisionRecord,
  decodeDecisionRecord,
  type FlipKind,
  type PolicyEngine,
  replay,
  toEpochMicros,
  WeftError,
} from "@weft/kernel";
import { bool, nonNegativeInt, oneOf, type Parsed, parse, str } from "../args.js";
import type { Command } from "../command.js";
import { InputFileError, UsageError } from "../errors.js";
import { parseInstant } from "../filters.js";
import { openTarget, resolveTarget } from "../open-store.js";
import { progressBar } from "../progress.js";
import {
  buildReport,
  DEFAULT_FAIL_ON,
  FORMATS,
  GATE_KINDS,
  type GateKind,
  type ReportFormat,
  render,
} from "../replay-report.js";

const NAME = "policy replay";
export const EXIT_FLIPS = 3;

/** The candidate module could not be loaded or does not provide a policy engine. */
export class PolicyModuleError extends WeftError {}

/** The store holds no captured decisions, or its decisions chain does not verify. */
export class DecisionsUnavailableError extends WeftError {}

const OPTIONS = {
  store: { type: "string" },
  "store-format": { type: "string" },
  secret: { type: "string" },
  "busy-timeout": { type: "string" },
  policy: { type: "string" },
  since: { type: "string" },
  until: { type: "string" },
  principal: { type: "string" },
  capability: { type: "string" },
  "fail-on": { type: "string" },
  "max-flips": { type: "string" },
  accept: { type: "string" },
  format: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

export const policyReplay: Command = {
  name: NAME,
  help: `Usage: weft policy replay --store PATH --policy MODULE [options]

Replay the grant decisions captured in the store's 'decisions' chain against a
candidate policy and report every decision that would change. The chain is
verified first; a store whose decisions do not verify is refused (exit 1).

MODULE is an ES module whose default export is a PolicyEngine (an object with
evaluate()), a class, or a factory (options, weft) => engine, called with the
baseline DefaultPolicyEngine's options and the @weft/kernel exports.

Options:
  --policy MODULE         candidate policy module (.mjs/.js), required
  --since TIME            inclusive; ISO-8601 (naive = UTC) or an age: 30m 2h 7d
  --until TIME            exclusive; same forms
  --principal ID          only decisions of this principal
  --capability ID         only decisions on this capability
  --fail-on KINDS         comma list of ${GATE_KINDS.join(",")}
                          (default ${DEFAULT_FAIL_ON.join(",")})
  --max-flips N           tolerate up to N gated changes before failing (default 0)
  --accept FILE           reviewed flips (decision ids, one per line, or a JSON
                          list / earlier --format json report): reported, not gated
  --format FMT            text (default) | json | junit | github | markdown
  --json                  same as --format json (schema weft.policy-replay/v1)
  --store PATH            store file (SQLite or .jsonl); default $WEFT_STORE
  --store-format FMT      sqlite|jsonl (default: by suffix, then by content)
  --secret SECRET         HMAC secret; default $WEFT_SECRET, then $WEAVER_KERNEL_SECRET
  --busy-timeout MS       wait this long for another process's lock (default 5000)
  -h, --help              this help

Exit codes: 0 no gated change, 3 gated changes (flips or not replayable),
1 error or a decisions chain that does not verify, 2 usage error.

Examples:
  weft policy replay --store .weft-demo/weft.db --policy ./stricter.mjs
  weft policy replay --store audit.db --policy ./candidate.mjs --since 7d \\
      --fail-on deny_to_allow --format github
`,
  run: async (argv, o) => {
    const p = parse(NAME, argv, OPTIONS, 0);
    if (bool(p, "help")) {
      o.out(policyReplay.help);
      return 0;
    }
    const settings = readSettings(p);
    // The store target reads no output-format flag: --format here is the report format.
    const storeArgs: Parsed = { values: { ...p.values, format: undefined }, positionals: [] };
    const target = resolveTarget(NAME, storeArgs);
    if (target.secretSource === "none")
      o.err(
        "warning: no secret given (--secret, WEFT_SECRET or WEAVER_KERNEL_SECRET); a store written with a real secret will not verify\n",
      );
    const store = openTarget(target, { needsSecret: true });
    let verified: ReturnType<typeof readDecisions>;
    try {
      verified = readDecisions(o, store, target.path);
    } finally {
      store.close();
    }
    const candidate = await loadCandidate(settings.policy, verified.baselineOptions);
    const accepted = settings.accept === undefined ? undefined : readAccept(settings.accept);

    const undecodable: Array<{ seq: number; decisionId: string | null; missing: readonly string[] }> = [];
    const selected: DecisionRecord[] = [];
    let considered = 0;
    for (const r of verified.records) {
      const d = decodeDecisionRecord(r.payload, r.seq);
      if (!d.ok) {
        // Undecodable records cannot be filtered by principal/capability/time; they are
        // reported rather than silently left out.
        considered++;
        const id = (r.payload as { decision_id?: unknown }).decision_id;
        undecodable.push({ seq: r.seq, decisionId: typeof id === "string" ? id : null, missing: d.missing });
        continue;
      }
      const w = inWindow(d.record, settings);
      if (w === "out") continue;
      considered++;
      if (w === "unknown") {
        // A window was asked for and the record's time cannot be read: not guessed in or out.
        undecodable.push({ seq: r.seq, decisionId: d.record.decisionId ?? null, missing: ["decided_at"] });
        continue;
      }
      selected.push(d.record);
    }
    let diff: ReturnType<typeof replay>;
    try {
      diff = replay(selected, candidate.engine);
    } catch (e) {
      if (e instanceof kernel.ReplayEngineError) {
        const rec = selected[e.index];
        throw new PolicyModuleError(
          "POLICY_MODULE_FAILED",
          `candidate ${settings.policy} failed on decision seq ${rec?.seq ?? "?"}: ${e.message.replace(/^candidate engine failed on record \d+: /, "")}`,
        );
      }
      throw e;
    }
    const baselines = new Map<string, { name: string; sha256: string | null; records: number }>();
    for (const r of selected) {
      const key = `${r.engine?.name ?? "unknown"} ${r.engine?.sha256 ?? ""}`;
      const b = baselines.get(key) ?? {
        name: r.engine?.name ?? "unknown",
        sha256: r.engine?.sha256 ?? null,
        records: 0,
      };
      b.records++;
      baselines.set(key, b);
    }
    const model = buildReport({
      diff,
      undecodable,
      isAccepted: (id, kind) => accepted?.matches(id, kind) ?? false,
      failOn: settings.failOn,
      maxFlips: settings.maxFlips,
      considered,
      header: {
        store: { path: target.path, format: target.format },
        chain: { name: "decisions", verified: true, records: verified.records.length, head: verified.head },
        checkpoint: verified.checkpoint,
        window: {
          since: settings.since?.iso ?? null,
          until: settings.until?.iso ?? null,
          principal: settings.principal ?? null,
          capability: settings.capability ?? null,
        },
        baseline: [...baselines.values()],
        candidate: { module: settings.policy, sha256: candidate.sha256 },
      },
    });
    render(o, settings.format, model);
    return model.gate.exitCode === 0 ? 0 : EXIT_FLIPS;
  },
};

interface Settings {
  policy: string;
  since: { iso: string; micros: number } | undefined;
  until: { iso: string; micros: number } | undefined;
  principal: string | undefined;
  capability: string | undefined;
  failOn: readonly GateKind[];
  maxFlips: number | null;
  accept: string | undefined;
  format: ReportFormat;
}

function readSettings(p: Parsed): Settings {
  const policy = str(p, "policy");
  if (policy === undefined || policy === "") throw new UsageError("--policy MODULE is required", NAME);
  const instant = (flag: "since" | "until") => {
    const text = str(p, flag);
    if (text === undefined) return undefined;
    const i = parseInstant(NAME, flag, text);
    return { iso: i.iso, micros: Number(i.nanos / 1000n) };
  };
  const since = instant("since");
  const until = instant("until");
  if (since && until && since.micros >= until.micros)
    throw new UsageError(
      `the window is empty: --since ${since.iso} is not before --until ${until.iso}`,
      NAME,
    );
  let failOn: readonly GateKind[] = DEFAULT_FAIL_ON;
  const failText = str(p, "fail-on");
  if (failText !== undefined) {
    const kinds = failText
      .split(",")
      .map((k) => k.trim())
      .filter((k) => k !== "");
    for (const k of kinds)
      if (!(GATE_KINDS as readonly string[]).includes(k))
        throw new UsageError(`--fail-on takes ${GATE_KINDS.join(",")}, got '${k}'`, NAME);
    if (kinds.length === 0) throw new UsageError("--fail-on needs at least one kind", NAME);
    failOn = [...new Set(kinds)] as GateKind[];
  }
  const maxFlips = nonNegativeInt(NAME, "max-flips", str(p, "max-flips")) ?? null;
  if (maxFlips !== null && !Number.isSafeInteger(maxFlips))
    throw new UsageError("--max-flips is too large", NAME);
  const format = oneOf(NAME, "format", str(p, "format"), FORMATS);
  if (format !== undefined && bool(p, "json") && format !== "json")
    throw new UsageError(`--json conflicts with --format ${format}`, NAME);
  return {
    policy,
    since,
    until,
    principal: str(p, "principal"),
    capability: str(p, "capability"),
    failOn,
    maxFlips,
    accept: str(p, "accept"),
    format: format ?? (bool(p, "json") ? "json" : "text"),
  };
}

function inWindow(r: DecisionRecord, s: Settings): "in" | "out" | "unknown" {
  if (s.principal !== undefined && r.principal.principalId !== s.principal) return "out";
  if (s.capability !== undefined && r.capability.capabilityId !== s.capability) return "out";
  if (s.since === undefined && s.until === undefined) return "in";
  let t: number;
  try {
    t = toEpochMicros(r.decidedAt ?? "");
  } catch {
    return "unknown";
  }
  if (s.since !== undefined && t < s.since.micros) return "out";
  if (s.until !== undefined && t >= s.until.micros) return "out";
  return "in";
}

function readDecisions(o: Parameters<Command["run"]>[1], store: ChainedStore, path: string) {
  const bar = progressBar(o, "verifying decisions");
  let result: ReturnType<ChainedStore["decisions"]["readVerified"]>;
  try {
    result = store.decisions.readVerified({ onProgress: (done, total) => bar.update(done, total) });
  } finally {
    bar.finish();
  }
  const head = store.decisions.head();
  if (!result.verify.ok)
    throw new DecisionsUnavailableError(
      "DECISIONS_UNVERIFIED",
      `TAMPER DETECTED in the decisions chain of '${path}': ${result.verify.detail}; refusing to replay`,
    );
  if (result.records.length === 0)
    throw new DecisionsUnavailableError(
      "NO_DECISIONS",
      `'${path}' has no decisions chain: no grant decision was captured (enable capture with new Kernel({ decisions: { log: store.decisions } }))`,
    );
  // With a Merkle tree and signed checkpoints (SQLite), the tree is recomputed and the latest
  // checkpoint checked too, so the report can cite a signed root, not only an HMAC head.
  let checkpoint: { size: number; root: string } | null = null;
  const t = store.transparency;
  if (t !== undefined && t.checkpoints("decisions").length > 0) {
    const tree = t.verify("decisions");
    if (!tree.ok)
      throw new DecisionsUnavailableError(
        "DECISIONS_UNVERIFIED",
        `TAMPER DETECTED in the decisions tree or checkpoints of '${path}': ${tree.detail}; refusing to replay`,
      );
    const latest = t.latestCheckpoint("decisions");
    if (latest !== undefined) checkpoint = { size: latest.size, root: latest.root.toString("base64") };
  }
  // The factory receives the baseline's own options, so "default plus one change" is one line.
  const newest = decodeDecisionRecord(result.records[result.records.length - 1]?.payload);
  const config =
    newest.ok && newest.record.engine?.name === "DefaultPolicyEngine"
      ? newest.record.engine.config
      : undefined;
  const baselineOptions: Record<string, unknown> = {};
  const rl = config?.["rateLimits"];
  if (rl !== null && typeof rl === "object") baselineOptions["rateLimits"] = rl;
  return { records: result.records, head, baselineOptions, checkpoint };
}

function isEngine(v: unknown): v is PolicyEngine {
  return typeof v === "object" && v !== null && typeof (v as { evaluate?: unknown }).evaluate === "function";
}

async function loadCandidate(
  spec: string,
  baselineOptions: Record<string, unknown>,
): Promise<{ engine: PolicyEngine; sha256: string }> {
  const abs = resolve(spec);
  let bytes: Buffer;
  try {
    if (!statSync(abs).isFile()) throw new Error("not a regular file");
    bytes = readFileSync(abs);
  } catch (e) {
    throw new PolicyModuleError(
      "POLICY_MODULE_UNREADABLE",
      `cannot read policy module '${spec}': ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}`,
    );
  }
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  let mod: Record<string, unknown>;
  try {
    // The hash names the bytes read above; the query keeps a re-run in one process from reusing
    // a cached, older module.
    mod = (await import(`${pathToFileURL(abs).href}?sha256=${sha256}`)) as Record<string, unknown>;
  } catch (e) {
    throw new PolicyModuleError(
      "POLICY_MODULE_FAILED",
      `policy module '${spec}' failed to load: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`,
    );
  }
  const exported = mod["default"];
  if (exported === undefined)
    throw new PolicyModuleError(
      "POLICY_MODULE_INVALID",
      `policy module '${spec}' has no default export (export default a PolicyEngine, a class or a factory)`,
    );
  let engine: unknown = exported;
  if (typeof exported === "function") {
    const fn = exported as (...args: unknown[]) => unknown;
    try {
      const proto = (fn as { prototype?: { evaluate?: unknown } }).prototype;
      engine =
        typeof proto?.evaluate === "function"
          ? new (fn as unknown as new (o: unknown) => unknown)({ ...baselineOptions })
          : await fn({ ...baselineOptions }, kernel);
    } catch (e) {
      throw new PolicyModuleError(
        "POLICY_MODULE_FAILED",
        `policy module '${spec}' threw while building its engine: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`,
      );
    }
  }
  if (!isEngine(engine))
    throw new PolicyModuleError(
      "POLICY_MODULE_INVALID",
      `policy module '${spec}' does not provide a policy engine: its default export ${typeof exported === "function" ? "returned" : "is"} ${describe(engine)}, not an object with evaluate()`,
    );
  return { engine, sha256 };
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  return typeof v === "object" ? "an object without evaluate()" : `a ${typeof v}`;
}

interface AcceptList {
  matches(decisionId: string | null, kind: FlipKind): boolean;
}

const ACCEPT_MAX_BYTES = 16 * 1024 * 1024;

/** Reviewed flips: decision ids (text lines, `#` comments), a JSON list, or an earlier JSON report. */
function readAccept(file: string): AcceptList {
  let text: string;
  try {
    const st = statSync(file);
    if (!st.isFile()) throw new Error("not a regular file");
    if (st.size > ACCEPT_MAX_BYTES) throw new Error(`larger than ${ACCEPT_MAX_BYTES} bytes`);
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new InputFileError(`cannot read --accept file '${file}': ${(e as Error).message}`);
  }
  const entries = new Map<string, Set<string> | null>();
  const add = (id: unknown, kind: unknown) => {
    if (typeof id !== "string" || id === "")
      throw new InputFileError(`--accept file '${file}' holds an entry without a decision id`);
    if (kind !== undefined && kind !== null && !(kernel.FLIP_KINDS as readonly unknown[]).includes(kind))
      throw new InputFileError(`--accept file '${file}': unknown flip kind ${JSON.stringify(kind)}`);
    if (kind === undefined || kind === null) entries.set(id, null);
    else if (entries.get(id) !== null) entries.set(id, (entries.get(id) ?? new Set()).add(kind as string));
  };
  const trimmed = text.trimStart();
  if (trimmed.startsWith("[") || trimmed.startsWith("{")) {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (e) {
      throw new InputFileError(`--accept file '${file}' is not valid JSON: ${(e as Error).message}`);
    }
    const list = Array.isArray(doc)
      ? doc
      : ((doc as { flipped?: unknown; accepted?: unknown }).flipped ??
        (doc as { accepted?: unknown }).accepted);
    if (!Array.isArray(list))
      throw new InputFileError(
        `--accept file '${file}' must be a JSON list, or an object with 'accepted' or 'flipped'`,
      );
    for (const item of list) {
      if (typeof item === "string") add(item, undefined);
      else if (typeof item === "object" && item !== null)
        add((item as { decision_id?: unknown }).decision_id, (item as { kind?: unknown }).kind);
      else
        throw new InputFileError(
          `--accept file '${file}' holds an entry that is neither an id nor an object`,
        );
    }
  } else {
    for (const raw of text.split("\n")) {
      const l = raw.replace(/#.*$/, "").trim();
      if (l === "") continue;
      const [id, kind] = l.split(/\s+/);
      add(id, kind);
    }
  }
  return {
    matches(id, kind) {
      if (id === null || !entries.has(id)) return false;
      const kinds = entries.get(id);
      return kinds === null || kinds === undefined || kinds.has(kind);
    },
  };
}
