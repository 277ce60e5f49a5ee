// The `weft policy replay` report: one model (built once from the DecisionDiff and the gate
// settings) and five renderings of it — text, the versioned JSON document, JUnit XML, GitHub
// workflow annotations and Markdown for a CI step summary. Every string that came from the store
// is untrusted and escaped for the medium it is printed in.
import type { DecisionFlip, DecisionRecord, FlipKind } from "@weft/kernel";
import { SCHEMA_WEFT_POLICY_REPLAY_V1 } from "@weft/semconv";
import { pythonJson } from "./json.js";
import { type Output, paint, safe } from "./output.js";

export const REPORT_SCHEMA = SCHEMA_WEFT_POLICY_REPLAY_V1;
export const GATE_KINDS = [
  "allow_to_deny",
  "deny_to_allow",
  "reason_code_change",
  "rate_limited",
  "not_replayable",
] as const;
export type GateKind = (typeof GATE_KINDS)[number];
/** Default gate: any structural flip, and any record that could not be replayed honestly. */
export const DEFAULT_FAIL_ON: readonly GateKind[] = [
  "allow_to_deny",
  "deny_to_allow",
  "reason_code_change",
  "not_replayable",
];
export const FORMATS = ["text", "json", "junit", "github", "markdown"] as const;
export type ReportFormat = (typeof FORMATS)[number];

/** Loosening first (what nobody intended to allow), then tightening, then code changes. */
const KIND_ORDER: Record<FlipKind, number> = { deny_to_allow: 0, allow_to_deny: 1, reason_code_change: 2 };

export interface FlipRow {
  seq: number | null;
  decisionId: string | null;
  decidedAt: string | null;
  principal: string;
  capability: string;
  kind: FlipKind;
  rateLimited: boolean;
  before: { allowed: boolean; reasonCode: string | null };
  after: { allowed: boolean; reasonCode: string | null };
  accepted: boolean;
  /** Counts toward the exit code (kind in --fail-on and not accepted). */
  failing: boolean;
}

export interface NotReplayableRow {
  seq: number | null;
  decisionId: string | null;
  principal: string;
  capability: string;
  missing: readonly string[];
  failing: boolean;
}

export interface ReportModel {
  store: { path: string; format: string };
  chain: {
    name: "decisions";
    verified: true;
    records: number;
    head: { seq: number; recordHash: string } | null;
  };
  checkpoint: { size: number; root: string } | null;
  window: { since: string | null; until: string | null; principal: string | null; capability: string | null };
  baseline: Array<{ name: string; sha256: string | null; records: number }>;
  candidate: { module: string; sha256: string };
  considered: number;
  evaluated: number;
  unchanged: number;
  flips: Record<FlipKind, number>;
  rateLimited: number;
  notReplayable: NotReplayableRow[];
  flipped: FlipRow[];
  byCapability: Record<string, Record<FlipKind | "rate_limited", number>>;
  byPrincipal: Record<string, Record<FlipKind | "rate_limited", number>>;
  gate: {
    failOn: readonly GateKind[];
    maxFlips: number | null;
    failing: number;
    accepted: number;
    exitCode: 0 | 3;
  };
}

function emptyCounts(): Record<FlipKind | "rate_limited", number> {
  return { allow_to_deny: 0, deny_to_allow: 0, reason_code_change: 0, rate_limited: 0 };
}

function row(
  flip: DecisionFlip,
  rateLimited: boolean,
  failOn: ReadonlySet<string>,
  accepted: boolean,
): FlipRow {
  const r: DecisionRecord = flip.record;
  const counts = rateLimited ? failOn.has("rate_limited") : failOn.has(flip.kind);
  return {
    seq: r.seq ?? null,
    decisionId: r.decisionId ?? null,
    decidedAt: r.decidedAt ?? null,
    principal: r.principal.principalId,
    capability: r.capability.capabilityId,
    kind: flip.kind,
    rateLimited,
    before: { allowed: flip.baselineAllowed, reasonCode: flip.baselineReasonCode },
    after: { allowed: flip.candidateAllowed, reasonCode: flip.candidateReasonCode },
    accepted,
    failing: counts && !accepted,
  };
}

export interface BuildInput {
  diff: {
    evaluated: number;
    unchanged: number;
    flips: DecisionFlip[];
    rateLimited: DecisionFlip[];
    notReplayable: Array<{ record: DecisionRecord; missing: readonly string[] }>;
  };
  /** Records that were in the store but could not even be decoded (missing envelope fields). */
  undecodable: Array<{ seq: number; decisionId: string | null; missing: readonly string[] }>;
  isAccepted: (decisionId: string | null, kind: FlipKind) => boolean;
  failOn: readonly GateKind[];
  maxFlips: number | null;
  considered: number;
  header: Pick<ReportModel, "store" | "chain" | "checkpoint" | "window" | "baseline" | "candidate">;
}

export function buildReport(input: BuildInput): ReportModel {
  const failOn = new Set<string>(input.failOn);
  const flipped = [
    ...input.diff.flips.map((f) =>
      row(f, false, failOn, input.isAccepted(f.record.decisionId ?? null, f.kind)),
    ),
    ...input.diff.rateLimited.map((f) =>
      row(f, true, failOn, input.isAccepted(f.record.decisionId ?? null, f.kind)),
    ),
  ].sort(
    (a, b) =>
      Number(a.rateLimited) - Number(b.rateLimited) ||
      KIND_ORDER[a.kind] - KIND_ORDER[b.kind] ||
      (a.seq ?? 0) - (b.seq ?? 0),
  );
  const nrFailing = failOn.has("not_replayable");
  const notReplayable: NotReplayableRow[] = [
    ...input.undecodable.map((u) => ({
      seq: u.seq,
      decisionId: u.decisionId,
      principal: "",
      capability: "",
      missing: u.missing,
      failing: nrFailing,
    })),
    ...input.diff.notReplayable.map((n) => ({
      seq: n.record.seq ?? null,
      decisionId: n.record.decisionId ?? null,
      principal: n.record.principal.principalId,
      capability: n.record.capability.capabilityId,
      missing: n.missing,
      failing: nrFailing,
    })),
  ].sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
  const flips: Record<FlipKind, number> = { allow_to_deny: 0, deny_to_allow: 0, reason_code_change: 0 };
  const byCapability: ReportModel["byCapability"] = {};
  const byPrincipal: ReportModel["byPrincipal"] = {};
  for (const f of flipped) {
    const key = f.rateLimited ? "rate_limited" : f.kind;
    if (!f.rateLimited) flips[f.kind]++;
    byCapability[f.capability] ??= emptyCounts();
    byCapability[f.capability]![key]++;
    byPrincipal[f.principal] ??= emptyCounts();
    byPrincipal[f.principal]![key]++;
  }
  const failing = flipped.filter((f) => f.failing).length + notReplayable.filter((n) => n.failing).length;
  const accepted = flipped.filter((f) => f.accepted).length;
  const exitCode = failing > (input.maxFlips ?? 0) ? 3 : 0;
  return {
    ...input.header,
    considered: input.considered,
    evaluated: input.diff.evaluated,
    unchanged: input.diff.unchanged,
    flips,
    rateLimited: input.diff.rateLimited.length,
    notReplayable,
    flipped,
    byCapability,
    byPrincipal,
    gate: { failOn: input.failOn, maxFlips: input.maxFlips, failing, accepted, exitCode },
  };
}

function flippedCount(m: ReportModel): number {
  return m.flips.allow_to_deny + m.flips.deny_to_allow + m.flips.reason_code_change + m.rateLimited;
}

/** The closing line, in the `N passed, N failed` family. */
export function closingLine(m: ReportModel): string {
  const extra = m.notReplayable.length > 0 ? `, ${m.notReplayable.length} not replayable` : "";
  return `${m.evaluated} evaluated, ${m.unchanged} unchanged, ${flippedCount(m)} flipped${extra}`;
}

function outcome(o: { allowed: boolean; reasonCode: string | null }): string {
  return o.allowed ? "allowed" : `denied (${o.reasonCode ?? "no reason code"})`;
}

function kindLabel(f: FlipRow): string {
  const k = { allow_to_deny: "ALLOW→DENY", deny_to_allow: "DENY→ALLOW", reason_code_change: "REASON" }[
    f.kind
  ];
  return f.rateLimited ? `${k} (rate-limited)` : k;
}

function pct(n: number, d: number): string {
  return d === 0 ? "0%" : `${((100 * n) / d).toFixed(1)}%`;
}

function short(hash: string | null | undefined, n = 16): string {
  return hash ? hash.slice(0, n) : "unknown";
}

function missingSummary(rows: readonly NotReplayableRow[]): string {
  const counts = new Map<string, number>();
  for (const r of rows) for (const f of r.missing) counts.set(f, (counts.get(f) ?? 0) + 1);
  return [...counts].map(([f, n]) => `${f} ×${n}`).join(", ");
}

function windowText(m: ReportModel): string {
  const w = m.window;
  const parts = [`since ${w.since ?? "(start)"}`, `until ${w.until ?? "(end)"}`];
  if (w.principal !== null) parts.push(`principal ${w.principal}`);
  if (w.capability !== null) parts.push(`capability ${w.capability}`);
  return parts.join(", ");
}

function countsText(c: Record<string, number>): string {
  return Object.entries(c)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k} ${n}`)
    .join(", ");
}

export function renderText(o: Output, m: ReportModel): void {
  const w = (s: string) => o.out(`${s}\n`);
  const head = m.chain.head;
  w(paint(o, "bold", "weft policy replay"));
  w(`  store:      ${safe(m.store.path)} (${m.store.format})`);
  w(
    `  chain:      decisions verified, ${m.chain.records} records` +
      (head ? `, head seq ${head.seq} ${short(head.recordHash)}` : ""),
  );
  w(
    `  checkpoint: ${m.checkpoint ? `verified, size ${m.checkpoint.size} of ${m.chain.records}, root ${m.checkpoint.root}` : "none in this store"}`,
  );
  w(`  window:     ${safe(windowText(m))} (${m.considered} decisions)`);
  for (const b of m.baseline)
    w(`  baseline:   ${safe(b.name)} sha256:${short(b.sha256)} (${b.records} records)`);
  w(`  candidate:  ${safe(m.candidate.module)} sha256:${m.candidate.sha256}`);
  w("");
  w(paint(o, "bold", "Summary"));
  const s = (label: string, value: string) => w(`  ${label.padEnd(20)}${value}`);
  s("evaluated", String(m.evaluated));
  s("unchanged", String(m.unchanged));
  s("deny_to_allow", String(m.flips.deny_to_allow));
  s("allow_to_deny", String(m.flips.allow_to_deny));
  s("reason_code_change", String(m.flips.reason_code_change));
  s("rate_limited", String(m.rateLimited));
  s(
    "not replayable",
    m.notReplayable.length === 0
      ? "0"
      : `${m.notReplayable.length} (missing: ${safe(missingSummary(m.notReplayable))})`,
  );
  s("changed", `${pct(flippedCount(m), m.evaluated)} (${flippedCount(m)}/${m.evaluated})`);
  if (m.flipped.length > 0) {
    for (const [title, table] of [
      ["Flips by capability", m.byCapability],
      ["Flips by principal", m.byPrincipal],
    ] as const) {
      w("");
      w(paint(o, "bold", title));
      const rows = Object.entries(table).sort(
        ([a, x], [b, y]) =>
          y.deny_to_allow - x.deny_to_allow || total(y) - total(x) || (a < b ? -1 : a > b ? 1 : 0),
      );
      for (const [key, c] of rows) w(`  ${safe(key).padEnd(28)} ${countsText(c)}`);
    }
    w("");
    w(paint(o, "bold", "Flipped decisions (loosening first)"));
    for (const f of m.flipped) {
      const label = kindLabel(f);
      const styled = paint(o, f.kind === "deny_to_allow" ? "red" : "yellow", label.padEnd(24));
      const tag = f.accepted ? " [accepted]" : f.failing ? "" : " [not gated]";
      w(
        `  ${styled} seq ${f.seq ?? "?"}  ${safe(f.principal)}  ${safe(f.capability)}  ` +
          `${outcome(f.before)} → ${outcome(f.after)}  ${safe(f.decidedAt ?? "")}  decision ${safe(f.decisionId ?? "?")}${tag}`,
      );
    }
  }
  if (m.notReplayable.length > 0) {
    w("");
    w(paint(o, "bold", "Not replayable (inputs the candidate needs were not recorded)"));
    for (const n of m.notReplayable)
      w(
        `  seq ${n.seq ?? "?"}  ${safe(n.principal)}  ${safe(n.capability)}  missing ${safe(n.missing.join(", "))}  decision ${safe(n.decisionId ?? "?")}`,
      );
  }
  w("");
  const g = m.gate;
  const verdict =
    g.exitCode === 0
      ? paint(o, "green", "gate: PASS")
      : paint(o, "red", `gate: FAIL (${g.failing} gated change(s) > --max-flips ${g.maxFlips ?? 0})`);
  w(`${verdict}  [fail-on ${g.failOn.join(",") || "(none)"}; ${g.accepted} accepted]`);
  w(closingLine(m));
}

function total(c: Record<string, number>): number {
  return Object.values(c).reduce((a, b) => a + b, 0);
}

export function toJsonDocument(m: ReportModel): Record<string, unknown> {
  const side = (x: { allowed: boolean; reasonCode: string | null }) => ({
    allowed: x.allowed,
    reason_code: x.reasonCode,
  });
  return {
    schema: REPORT_SCHEMA,
    store: m.store,
    chain: {
      name: "decisions",
      verified: true,
      records: m.chain.records,
      head: m.chain.head ? { seq: m.chain.head.seq, record_hash: m.chain.head.recordHash } : null,
    },
    checkpoint: m.checkpoint,
    window: m.window,
    baseline: m.baseline,
    candidate: m.candidate,
    considered: m.considered,
    evaluated: m.evaluated,
    unchanged: m.unchanged,
    flips: m.flips,
    rate_limited: m.rateLimited,
    not_replayable: m.notReplayable.map((n) => ({
      seq: n.seq,
      decision_id: n.decisionId,
      principal: n.principal,
      capability: n.capability,
      missing: n.missing,
    })),
    by_capability: m.byCapability,
    by_principal: m.byPrincipal,
    flipped: m.flipped.map((f) => ({
      seq: f.seq,
      decision_id: f.decisionId,
      decided_at: f.decidedAt,
      principal: f.principal,
      capability: f.capability,
      kind: f.kind,
      change: "CHANGED",
      rate_limited: f.rateLimited,
      before: side(f.before),
      after: side(f.after),
      accepted: f.accepted,
      gated: f.failing,
    })),
    gate: {
      fail_on: m.gate.failOn,
      max_flips: m.gate.maxFlips,
      failing: m.gate.failing,
      accepted: m.gate.accepted,
      exit_code: m.gate.exitCode,
    },
    summary: closingLine(m),
  };
}

function xml(text: string): string {
  // Also drops characters XML 1.0 cannot carry at all (a hostile id must not break the file).
  return (
    text
      // biome-ignore lint/suspicious/noControlCharactersInRegex: removing XML-illegal control characters
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, "\ufffd")
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;")
      .replace(/'/g, "&apos;")
  );
}

export function renderJunit(m: ReportModel): string {
  const cases: string[] = [];
  for (const f of m.flipped) {
    const name = xml(
      `seq ${f.seq ?? "?"} ${f.principal} ${f.capability}: ${outcome(f.before)} -> ${outcome(f.after)}`,
    );
    const cls = xml(`weft.policy-replay.${f.capability}`);
    const body = xml(
      `kind: ${f.kind}${f.rateLimited ? " (rate-limited)" : ""}\ndecision: ${f.decisionId ?? "?"}\n` +
        `decided_at: ${f.decidedAt ?? "?"}\nbefore: ${outcome(f.before)}\nafter: ${outcome(f.after)}`,
    );
    if (f.failing)
      cases.push(
        `    <testcase name="${name}" classname="${cls}">\n      <failure type="${f.kind}" message="${xml(`${outcome(f.before)} -> ${outcome(f.after)}`)}">${body}</failure>\n    </testcase>`,
      );
    else
      cases.push(
        `    <testcase name="${name}" classname="${cls}">\n      <skipped message="${f.accepted ? "accepted" : "kind not in --fail-on"}"/>\n      <system-out>${body}</system-out>\n    </testcase>`,
      );
  }
  for (const n of m.notReplayable) {
    const name = xml(`seq ${n.seq ?? "?"} ${n.principal} ${n.capability}: not replayable`);
    const msg = xml(`missing ${n.missing.join(", ")}`);
    cases.push(
      n.failing
        ? `    <testcase name="${name}" classname="weft.policy-replay.not_replayable">\n      <error type="not_replayable" message="${msg}"/>\n    </testcase>`
        : `    <testcase name="${name}" classname="weft.policy-replay.not_replayable">\n      <skipped message="${msg}"/>\n    </testcase>`,
    );
  }
  const failures = m.flipped.filter((f) => f.failing).length;
  const errors = m.notReplayable.filter((n) => n.failing).length;
  const skipped = cases.length - failures - errors;
  const suite = xml(`weft policy replay ${m.candidate.module}`);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="weft policy replay" tests="${cases.length}" failures="${failures}" errors="${errors}">`,
    `  <testsuite name="${suite}" tests="${cases.length}" failures="${failures}" errors="${errors}" skipped="${skipped}">`,
    `    <properties><property name="summary" value="${xml(closingLine(m))}"/><property name="candidate_sha256" value="${m.candidate.sha256}"/></properties>`,
    ...cases,
    "  </testsuite>",
    "</testsuites>",
    "",
  ].join("\n");
}

/** GitHub workflow-command escaping: data, and (stricter) property values. */
function ghData(text: string): string {
  return text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}
function ghProp(text: string): string {
  return ghData(text).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

export function renderGithub(m: ReportModel): string {
  const lines: string[] = [];
  for (const f of m.flipped) {
    const level = f.failing ? "error" : "warning";
    const title = ghProp(`Policy replay: ${f.kind}${f.rateLimited ? " (rate-limited)" : ""}`);
    const msg = ghData(
      `seq ${f.seq ?? "?"} principal ${f.principal} capability ${f.capability}: ${outcome(f.before)} -> ${outcome(f.after)} (decision ${f.decisionId ?? "?"}${f.accepted ? ", accepted" : ""})`,
    );
    lines.push(`::${level} title=${title}::${msg}`);
  }
  for (const n of m.notReplayable)
    lines.push(
      `::${n.failing ? "error" : "warning"} title=${ghProp("Policy replay: not replayable")}::${ghData(
        `seq ${n.seq ?? "?"} principal ${n.principal} capability ${n.capability}: missing ${n.missing.join(", ")}`,
      )}`,
    );
  lines.push(`::notice title=${ghProp("Policy replay")}::${ghData(closingLine(m))}`);
  return `${lines.join("\n")}\n`;
}

/** Markdown cell: escape pipes and markup, no newlines, no raw HTML. */
function md(text: string): string {
  return safe(text)
    .replace(/[\\`*_[\]<>|~]/g, (c) => `\\${c}`)
    .replace(/\s+/g, " ");
}

export function renderMarkdown(m: ReportModel): string {
  const out: string[] = [];
  const head = m.chain.head;
  out.push(`### Policy replay: ${m.gate.exitCode === 0 ? "✅ pass" : "❌ fail"}`);
  out.push("");
  out.push(
    `Candidate \`${md(m.candidate.module)}\` (sha256 \`${m.candidate.sha256.slice(0, 16)}\`) against ${m.chain.records} verified decisions` +
      (head ? ` (head seq ${head.seq}, \`${head.recordHash.slice(0, 16)}\`)` : "") +
      ` in ${md(m.store.path)}; window: ${md(windowText(m))}.`,
  );
  out.push("");
  out.push(
    "| evaluated | unchanged | deny→allow | allow→deny | reason code | rate-limited | not replayable | changed |",
  );
  out.push("|---:|---:|---:|---:|---:|---:|---:|---:|");
  out.push(
    `| ${m.evaluated} | ${m.unchanged} | ${m.flips.deny_to_allow} | ${m.flips.allow_to_deny} | ${m.flips.reason_code_change} | ${m.rateLimited} | ${m.notReplayable.length} | ${pct(flippedCount(m), m.evaluated)} |`,
  );
  if (m.flipped.length > 0) {
    out.push("");
    out.push("| kind | seq | principal | capability | before | after | gated |");
    out.push("|---|---:|---|---|---|---|---|");
    for (const f of m.flipped)
      out.push(
        `| ${md(kindLabel(f))} | ${f.seq ?? "?"} | ${md(f.principal)} | ${md(f.capability)} | ${md(outcome(f.before))} | ${md(outcome(f.after))} | ${f.accepted ? "accepted" : f.failing ? "yes" : "no"} |`,
      );
  }
  if (m.notReplayable.length > 0) {
    out.push("");
    out.push(`Not replayable: ${md(missingSummary(m.notReplayable))}.`);
  }
  out.push("");
  out.push(`**${closingLine(m)}**`);
  return `${out.join("\n")}\n`;
}

export function render(o: Output, format: ReportFormat, m: ReportModel): void {
  if (format === "text") renderText(o, m);
  else if (format === "json") o.out(`${pythonJson(toJsonDocument(m), 2)}\n`);
  else if (format === "junit") o.out(renderJunit(m));
  else if (format === "github") o.out(renderGithub(m));
  else o.out(renderMarkdown(m));
}
