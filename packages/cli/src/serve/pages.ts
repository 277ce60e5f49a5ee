// Server-rendered pages: complete HTML on first paint (no JavaScript needed to read anything),
// built only with the escaping `html` template. Charts and waterfall bars are inline SVG with
// numeric attributes (no inline style, which the CSP forbids); hover text is SVG <title>.
import type { SpanRecordV1 } from "@weft/chained-store";
import { ATTR_WEFT_DECISION } from "@weft/semconv";
import type { TraceReport } from "../commands/audit-trace.js";
import { actionIdOf } from "../commands/audit-trace.js";
import type { OtlpDiff } from "../otlp-diff.js";
import { formatDuration } from "../waterfall.js";
import { type Html, html, join } from "./html.js";
import type { ChainIntegrity, OverviewSnapshot } from "./messages.js";
import {
  decisionLabel,
  PAGE_FILTERS,
  type RecordDetail,
  type RecordsPage,
  recordIntegrity,
} from "./view-model.js";

export interface PageFrame {
  title: string;
  page: "overview" | "records" | "record" | "trace" | "reports" | "error";
  storePath: string;
  integrity: readonly ChainIntegrity[];
  /** The current URL's filters, for the filter bar (overview and records pages). */
  filters?: URLSearchParams;
  hasReports: boolean;
  /** The live state this page was rendered from (the same text /events sends), so the client can tell when it is stale. */
  liveState: string;
}

const FILTER_FIELDS: ReadonlyArray<{
  key: string;
  label: string;
  choices?: readonly string[];
  hint?: string;
}> = [
  { key: "since", label: "since", hint: "2026-03-01T12:00Z or 2h" },
  { key: "until", label: "until", hint: "ISO time or age" },
  { key: "principal", label: "principal" },
  { key: "capability", label: "capability" },
  { key: "event", label: "event", choices: ["invoke", "expand", "deny"] },
  { key: "decision", label: "decision", choices: ["allow", "deny", "error"] },
  { key: "status", label: "status", choices: ["succeeded", "failed"] },
  { key: "reason", label: "reason code" },
  { key: "trace-id", label: "trace id", hint: "32 hex" },
];

function pct(part: number, whole: number): string {
  return whole <= 0 ? "0" : ((100 * part) / whole).toFixed(0);
}

function ago(ms: number): string {
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  return `${Math.floor(s / 3600)}h ago`;
}

export function integrityHeader(chains: readonly ChainIntegrity[]): Html {
  const failed = chains.filter((c) => c.state === "failed" || c.state === "error");
  const banner =
    failed.length === 0
      ? null
      : html`<div class="banner bad" role="alert" id="tamper-banner">
          ${join(
            failed.map((c) =>
              c.state === "failed"
                ? html`<p><strong>Tamper detected</strong> in the ${c.chain} chain: first bad record is
                    <a href="${c.chain === "actions" ? `/records/${c.firstBadSeq}` : "#"}">seq ${c.firstBadSeq}</a>
                    — ${c.detail}</p>`
                : html`<p><strong>Cannot verify</strong> the ${c.chain} chain: ${c.detail}</p>`,
            ),
          )}
        </div>`;
  const rows = chains.map((c) => {
    let state: Html;
    switch (c.state) {
      case "pending":
        state = html`<span class="badge muted">not yet verified</span>`;
        break;
      case "verifying":
        state = html`<span class="badge muted">verifying ${pct(c.checked, c.total)}%</span>
          <progress max="${c.total}" value="${c.checked}"></progress>`;
        break;
      case "verified":
        state = html`<span class="badge ok">✓ verified</span>
          <span class="muted">through seq ${c.verifiedThrough ?? "–"}${c.verifiedAt ? `, ${ago(c.verifiedAt)}` : ""}</span>`;
        break;
      case "failed":
        state = html`<span class="badge bad">✗ first bad seq ${c.firstBadSeq}</span>`;
        break;
      case "no-secret":
        state = html`<span class="badge warn">not verifiable: no secret</span>`;
        break;
      default:
        state = html`<span class="badge bad">verification error</span>`;
    }
    const newer =
      c.headSeq !== null &&
      c.verifiedThrough !== null &&
      c.headSeq > c.verifiedThrough &&
      c.state === "verified"
        ? html` <span class="muted">(${c.headSeq - c.verifiedThrough} newer not yet verified)</span>`
        : null;
    return html`<div class="chain" data-chain="${c.chain}" data-state="${c.state}"
        data-first-bad-seq="${c.firstBadSeq ?? ""}">
        <span class="chain-name">${c.chain}</span>
        <span class="count">${c.records.toLocaleString("en-US")} records</span>
        ${state}${newer}
        ${
          c.checkpoint === null
            ? html`<span class="muted checkpoint">checkpoints: none</span>`
            : html`<span class="checkpoint">checkpoint: size ${c.checkpoint.size} · root ${c.checkpoint.rootPrefix}… · ${join(
                c.checkpoint.signers.map((x) => html`<code>${x.name}</code> key ${x.keyId}`),
                ", ",
              )} · ${c.checkpoint.createdAt} ${c.checkpoint.ok ? badge("ok", "✓ tree matches") : badge("bad", "✗ tree does not match")}</span>`
        }
      </div>`;
  });
  return html`<section id="integrity" class="integrity${failed.length ? " failed" : ""}" aria-label="integrity">
    ${banner}${join(rows)}
  </section>`;
}

function filterBar(page: "overview" | "records", params: URLSearchParams | undefined): Html {
  const action = page === "overview" ? "/" : "/records";
  const fields = FILTER_FIELDS.map((f) => {
    const value = params?.get(f.key) ?? "";
    const id = `f-${f.key}`;
    const input = f.choices
      ? html`<select id="${id}" name="${f.key}">
          <option value="">any</option>
          ${f.choices.map((c) => html`<option value="${c}"${c === value ? html` selected` : null}>${c}</option>`)}
        </select>`
      : html`<input id="${id}" name="${f.key}" value="${value}" placeholder="${f.hint ?? ""}" autocomplete="off">`;
    return html`<label for="${id}"><span>${f.label}</span>${input}</label>`;
  });
  return html`<form class="filters" method="get" action="${action}" id="filters">
    ${fields}
    <div class="buttons"><button type="submit">Apply</button> <a href="${action}">clear</a></div>
  </form>`;
}

export function layout(frame: PageFrame, body: Html): string {
  const nav = (href: string, label: string, on: boolean) =>
    html`<a href="${href}"${on ? html` aria-current="page"` : null}>${label}</a>`;
  const bar =
    frame.page === "overview" || frame.page === "records" ? filterBar(frame.page, frame.filters) : null;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${frame.title} · weft audit</title>
<link rel="icon" href="/static/icon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/static/style.css">
<script type="module" src="/static/app.js"></script>
</head>
<body data-page="${frame.page}" data-live="${frame.liveState}">
<header class="top">
  <a class="brand" href="/">weft audit</a>
  <nav>${nav("/", "Overview", frame.page === "overview")} ${nav("/records", "Records", frame.page === "records" || frame.page === "record")}${
    frame.hasReports ? html` ${nav("/reports", "Reports", frame.page === "reports")}` : null
  }</nav>
  <span class="store" title="store file">${frame.storePath}</span>
</header>
${integrityHeader(frame.integrity)}
${bar}
<main id="content">
${body}
</main>
<footer><span class="muted">read-only view · live updates <span id="live-state">off</span></span></footer>
</body>
</html>
`.text;
}

function link(path: string, params: URLSearchParams, set: Record<string, string | number>): string {
  const p = new URLSearchParams(params);
  for (const [k, v] of Object.entries(set)) p.set(k, String(v));
  const q = p.toString();
  return q ? `${path}?${q}` : path;
}

function filterParams(params: URLSearchParams): URLSearchParams {
  const out = new URLSearchParams();
  for (const k of PAGE_FILTERS) {
    const v = params.get(k);
    if (v !== null && v !== "") out.set(k, v);
  }
  return out;
}

// ---- overview ----

const BUCKETS_S = [1, 5, 10, 30, 60, 300, 900, 3600, 3 * 3600, 6 * 3600, 86400, 7 * 86400];

/** Re-buckets per-second counts into at most `max` bars of a round width. */
export function bucketTimeline(
  timeline: OverviewSnapshot["timeline"],
  max = 60,
): { width: number; bars: Array<[number, number, number, number]> } {
  if (timeline.length === 0) return { width: 1, bars: [] };
  const first = timeline[0]![0];
  const last = timeline[timeline.length - 1]![0];
  const width = BUCKETS_S.find((w) => (last - first) / w < max) ?? 30 * 86400;
  const bars = new Map<number, [number, number, number, number]>();
  for (const [sec, a, d, e] of timeline) {
    const b = Math.floor(sec / width) * width;
    const slot = bars.get(b) ?? [b, 0, 0, 0];
    slot[1] += a;
    slot[2] += d;
    slot[3] += e;
    bars.set(b, slot);
  }
  return { width, bars: [...bars.values()].sort((x, y) => x[0] - y[0]) };
}

function widthLabel(s: number): string {
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${s / 60} min`;
  if (s < 86400) return `${s / 3600} h`;
  return `${s / 86400} d`;
}

function chart(o: OverviewSnapshot): Html {
  const { width, bars } = bucketTimeline(o.timeline);
  if (bars.length === 0) return html`<p class="muted">No records in this window.</p>`;
  const W = 1000;
  const H = 220;
  const pad = 24;
  const peak = Math.max(1, ...bars.map(([, a, d, e]) => a + d + e));
  const slot = (W - pad) / Math.max(bars.length, 1);
  const barW = Math.max(1, slot * 0.8);
  const y = (n: number) => ((H - pad) * n) / peak;
  const rects = bars.map(([t, a, d, e], i) => {
    const x = pad + i * slot + (slot - barW) / 2;
    let top = H - pad;
    const parts: Html[] = [];
    for (const [n, cls] of [
      [a, "allow"],
      [d, "deny"],
      [e, "error"],
    ] as const) {
      if (n === 0) continue;
      const h = y(n);
      top -= h;
      parts.push(
        html`<rect class="${cls}" x="${x.toFixed(1)}" y="${top.toFixed(1)}" width="${barW.toFixed(1)}" height="${h.toFixed(1)}"></rect>`,
      );
    }
    const when = new Date(t * 1000).toISOString().replace(".000Z", "Z");
    return html`<g class="bar"><title>${when} (+${widthLabel(width)}): ${a} allow, ${d} deny, ${e} error</title>${parts}</g>`;
  });
  const firstT = new Date(bars[0]![0] * 1000).toISOString().slice(0, 19).replace("T", " ");
  const lastT = new Date(bars[bars.length - 1]![0] * 1000).toISOString().slice(0, 19).replace("T", " ");
  return html`<figure class="chart">
    <svg id="timeline" viewBox="0 0 ${W} ${H}" role="img" aria-label="decisions over time, ${widthLabel(width)} per bar">
      <line class="axis" x1="${pad}" y1="${H - pad}" x2="${W}" y2="${H - pad}"></line>
      <text class="tick" x="0" y="12">${peak}</text>
      ${rects}
      <text class="tick" x="${pad}" y="${H - 6}">${firstT}Z</text>
      <text class="tick end" x="${W}" y="${H - 6}">${lastT}Z</text>
    </svg>
    <figcaption><span class="key allow"></span>allow <span class="key deny"></span>deny <span class="key error"></span>error · ${widthLabel(width)} per bar</figcaption>
  </figure>`;
}

function facet(
  title: string,
  key: string,
  counts: Record<string, number>,
  params: URLSearchParams,
  id: string,
): Html {
  const entries = Object.entries(counts).slice(0, 10);
  const more = Object.keys(counts).length - entries.length;
  return html`<section class="facet" id="${id}">
    <h3>${title}</h3>
    ${
      entries.length === 0
        ? html`<p class="muted">none</p>`
        : html`<ol>${entries.map(
            ([
              v,
              n,
            ]) => html`<li><a class="facet-value" href="${link("/", params, { [key]: v })}">${v === "" ? "(empty)" : v}</a>
              <a class="facet-count" href="${link("/records", params, { [key]: v })}" title="show these records">${n.toLocaleString("en-US")}</a></li>`,
          )}</ol>`
    }
    ${more > 0 ? html`<p class="muted">… ${more} more</p>` : null}
  </section>`;
}

export function overviewBody(o: OverviewSnapshot, params: URLSearchParams): Html {
  const p = filterParams(params);
  const s = o.stats;
  const card = (label: string, n: number, cls: string, extra: Record<string, string>) =>
    html`<a class="card ${cls}" id="count-${cls}" href="${link("/records", p, extra)}"><span class="n">${n.toLocaleString("en-US")}</span><span class="l">${label}</span></a>`;
  return html`
  <h1>Overview</h1>
  ${o.complete ? null : html`<p class="muted" id="counting">counting… ${(o.countedThrough ?? 0) + 1} records so far</p>`}
  <div class="cards">
    ${card("records", s.total, "total", {})}
    ${card("allowed", o.byDecision.allow, "allow", { decision: "allow" })}
    ${card("denied", o.byDecision.deny, "deny", { decision: "deny" })}
    ${card("errors", o.byDecision.error, "error", { decision: "error" })}
    <div class="card spans"><span class="n">${s.spans.toLocaleString("en-US")}</span><span class="l">spans</span></div>
  </div>
  ${chart(o)}
  <div class="facets">
    ${facet("Top reason codes", "reason", s.by_reason, p, "facet-reason")}
    ${facet("Principals", "principal", s.by_principal, p, "facet-principal")}
    ${facet("Capabilities", "capability", s.by_capability, p, "facet-capability")}
    ${facet("Agents", "agent", o.byAgent, p, "facet-agent")}
    ${facet("Events", "event", s.by_event, p, "facet-event")}
  </div>
  ${s.first_invoked_at ? html`<p class="muted">first ${s.first_invoked_at} · last ${s.last_invoked_at}</p>` : null}`;
}

// ---- records ----

function badge(kind: string, text?: string): Html {
  return html`<span class="badge ${kind}">${text ?? kind}</span>`;
}

export function recordsBody(page: RecordsPage, chain: ChainIntegrity | undefined): Html {
  const rows = page.rows.map((r) => {
    const t = r.payload;
    const d = decisionLabel(t);
    const integrity = recordIntegrity(r.seq, chain);
    return html`<tr data-seq="${r.seq}" class="${integrity === "verified" ? "" : integrity}">
      <td class="num"><a href="/records/${r.seq}">${r.seq}</a></td>
      <td class="time">${t.invokedAt}</td>
      <td>${badge(d)}</td>
      <td>${t.eventType}</td>
      <td class="principal">${t.principalId}</td>
      <td class="capability">${t.capabilityId}</td>
      <td class="reason">${t.reasonCode ?? ""}</td>
      <td class="id"><a href="/records/${r.seq}">${t.actionId}</a></td>
      <td>${integrity === "verified" ? badge("ok", "✓") : badge(integrity === "unverified" ? "muted" : "bad", integrity)}</td>
    </tr>`;
  });
  const pager = html`<nav class="pager">
    ${page.newer !== null ? html`<a rel="prev" id="newer" href="${link("/records", page.params, { "after-seq": page.newer, ...(page.limit !== 50 ? { limit: page.limit } : {}) })}">← newer</a>` : null}
    ${page.newer !== null ? html`<a href="${link("/records", page.params, {})}">newest</a>` : null}
    ${page.older !== null ? html`<a rel="next" id="older" href="${link("/records", page.params, { "before-seq": page.older, ...(page.limit !== 50 ? { limit: page.limit } : {}) })}">older →</a>` : null}
  </nav>`;
  return html`
  <h1>Records</h1>
  <p class="muted">newest first · ${page.rows.length} shown · <a href="${link("/records.json", page.params, {})}">JSON</a> · <a href="${link("/", page.params, {})}">overview of these</a></p>
  ${
    rows.length === 0
      ? html`<p id="no-records">No records match.</p>`
      : html`<div class="scroll"><table id="records">
    <thead><tr><th>seq</th><th>invoked at</th><th>decision</th><th>event</th><th>principal</th><th>capability</th><th>reason</th><th>action id</th><th>chain</th></tr></thead>
    <tbody>${rows}</tbody>
  </table></div>`
  }
  ${pager}`;
}

// ---- record ----

export function recordBody(
  d: RecordDetail,
  chain: ChainIntegrity | undefined,
  traceUrl: string | undefined,
  hasReceipt: boolean,
): Html {
  const r = d.record;
  const t = r.payload;
  const integrity = recordIntegrity(r.seq, chain);
  const linked = d.prev === undefined ? null : d.prev.recordHash === r.prevHash;
  return html`
  <h1>Record <span class="num">${r.seq}</span> ${badge(decisionLabel(t))}</h1>
  <nav class="pager">
    ${d.prev ? html`<a rel="prev" id="prev-record" href="/records/${d.prev.seq}">← seq ${d.prev.seq}</a>` : null}
    ${d.next ? html`<a rel="next" id="next-record" href="/records/${d.next.seq}">seq ${d.next.seq} →</a>` : null}
    <a href="/records/${r.seq}.json">JSON</a>
  </nav>
  <dl class="kv">
    <dt>chain</dt><dd id="record-integrity">${integrity === "verified" ? badge("ok", "✓ verified") : badge(integrity === "unverified" ? "muted" : "bad", integrity)}</dd>
    <dt>record_hash</dt><dd><code id="record-hash">${r.recordHash}</code></dd>
    <dt>prev_hash</dt><dd><code id="prev-hash">${r.prevHash}</code>
      ${d.prev ? html` <a href="/records/${d.prev.seq}">= record_hash of seq ${d.prev.seq}</a> ${linked ? badge("ok", "links") : badge("bad", "does not link")}` : html` <span class="muted">(first record of the chain)</span>`}</dd>
    <dt>action id</dt><dd><code>${t.actionId}</code></dd>
    <dt>invoked at</dt><dd>${t.invokedAt}</dd>
    <dt>principal</dt><dd class="principal">${t.principalId}</dd>
    <dt>capability</dt><dd class="capability">${t.capabilityId}</dd>
    <dt>event</dt><dd>${t.eventType}${t.reasonCode ? html` · reason <code>${t.reasonCode}</code>` : null}</dd>
    ${t.error !== null ? html`<dt>error</dt><dd class="error-text">${t.error}</dd>` : null}
    <dt>trace</dt><dd>${
      d.traceIds.length === 0
        ? html`<span class="muted">no mirrored spans</span>`
        : d.traceIds.map(
            (id) =>
              html`<a class="trace-link" href="/traces/${id}">${id}</a>${traceUrl ? html` <a class="external" rel="noreferrer noopener" href="${traceUrl.replace("{traceId}", id)}">open in tracing UI ↗</a>` : null} `,
          )
    }</dd>
    <dt>receipt</dt><dd>${
      hasReceipt
        ? html`<a id="receipt" href="/records/${r.seq}/receipt" download>download .tlog-proof receipt</a> <span class="muted">(inclusion in the latest signed checkpoint)</span>`
        : html`<span class="muted">no receipt: no signed checkpoint covers this record yet</span>`
    }</dd>
  </dl>
  <h2>Canonical JSON <span class="muted">(the bytes that were hashed)</span></h2>
  <pre class="json" id="canonical">${d.canonical}</pre>`;
}

// ---- trace ----

function spanBadge(s: SpanRecordV1, report: TraceReport): Html | null {
  const id = actionIdOf({ record: { seq: 0, prevHash: "", recordHash: "", payload: s }, children: [] });
  const t = id === undefined ? undefined : report.actions.byId.get(id);
  if (t) return badge(decisionLabel(t), `${decisionLabel(t)}${t.reasonCode ? ` ${t.reasonCode}` : ""}`);
  const decision = s.attributes[ATTR_WEFT_DECISION];
  if (typeof decision === "string") return badge(decision === "deny" ? "deny" : "allow", decision);
  return null;
}

export function traceBody(
  report: TraceReport,
  traceUrl: string | undefined,
  seqs: ReadonlyMap<string, number>,
): Html {
  const total = report.end - report.start;
  const rows = report.flat.map((f) => {
    const s = f.node.record.payload;
    const off = total > 0n ? Number(((f.start - report.start) * 1000n) / total) / 10 : 0;
    const len = total > 0n ? Math.max(0.3, Number(((f.end - f.start) * 1000n) / total) / 10) : 100;
    const err = s.status.code === "ERROR";
    const id = actionIdOf(f.node);
    const t = id === undefined ? undefined : report.actions.byId.get(id);
    return html`<tr class="span${err ? " error" : ""}" data-span-id="${s.span_id}" data-parent="${s.parent_span_id ?? ""}" data-start="${s.start_time_unix_nano}" data-end="${s.end_time_unix_nano}" data-seq="${f.node.record.seq}">
      <td class="name d${Math.min(f.depth, 15)}"><span class="span-name">${s.name}</span> <span class="muted">${s.kind.toLowerCase()}</span></td>
      <td class="wf"><svg viewBox="0 0 100 10" preserveAspectRatio="none"><title>${formatDuration(f.end - f.start)} at +${formatDuration(f.start - report.start)}</title><rect class="${err ? "error" : "ok"}" x="${Math.min(off, 99.7).toFixed(1)}" y="1" width="${Math.min(len, 100 - Math.min(off, 99.7)).toFixed(1)}" height="8"></rect></svg></td>
      <td class="num">${formatDuration(f.end - f.start)}</td>
      <td>${spanBadge(s, report)}${err ? html` ${badge("bad", `ERROR${s.status.message ? `: ${s.status.message}` : ""}`)}` : null}</td>
      <td>${t ? (seqs.has(t.actionId) ? html`<a href="/records/${seqs.get(t.actionId)}">record</a>` : null) : null}</td>
    </tr>`;
  });
  return html`
  <h1>Trace <code>${report.traceId}</code></h1>
  <p class="muted">${report.flat.length} span(s) · ${report.actions.byId.size + report.actions.unjoined.length} action(s) · ${formatDuration(total)}
    · <a href="/traces/${report.traceId}.json">JSON</a>${
      traceUrl
        ? html` · <a class="external" id="trace-url" rel="noreferrer noopener" href="${traceUrl.replace("{traceId}", report.traceId)}">open in tracing UI ↗</a>`
        : null
    }</p>
  ${report.flat.length === 0 ? html`<p>No mirrored spans for this trace.</p>` : html`<div class="scroll"><table id="waterfall"><thead><tr><th>span</th><th class="wf">timeline</th><th>duration</th><th>decision</th><th></th></tr></thead><tbody>${rows}</tbody></table></div>`}
  ${
    report.actions.unjoined.length > 0
      ? html`<h2>Action records of this trace without a span</h2><ul>${report.actions.unjoined.map(
          (t) =>
            html`<li><code>${t.actionId}</code> ${t.capabilityId} ${t.invokedAt} ${badge(decisionLabel(t))}</li>`,
        )}</ul>`
      : null
  }`;
}

// ---- reports, errors ----

export interface Reports {
  replay?: { file: string; value: unknown };
  diff?: { file: string; value: OtlpDiff };
}

function jsonTable(items: readonly unknown[], id: string): Html {
  const objs = items.filter(
    (x): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x),
  );
  if (objs.length === 0) return html`<pre class="json">${JSON.stringify(items, null, 2)}</pre>`;
  const cols = [...new Set(objs.flatMap((o) => Object.keys(o)))].slice(0, 12);
  const cell = (v: unknown) => (typeof v === "string" ? v : (JSON.stringify(v) ?? ""));
  return html`<div class="scroll"><table id="${id}"><thead><tr>${cols.map((c) => html`<th>${c}</th>`)}</tr></thead><tbody>${objs
    .slice(0, 500)
    .map((o) => html`<tr>${cols.map((c) => html`<td>${cell(o[c])}</td>`)}</tr>`)}</tbody></table></div>${
    objs.length > 500 ? html`<p class="muted">… ${objs.length - 500} more in the JSON</p>` : null
  }`;
}

export function reportsBody(r: Reports): Html {
  const replay = r.replay
    ? (() => {
        const v = r.replay.value;
        const entries = typeof v === "object" && v !== null && !Array.isArray(v) ? Object.entries(v) : [];
        const scalars = entries.filter(([, x]) => typeof x !== "object" || x === null);
        const lists = entries.filter(([, x]) => Array.isArray(x));
        return html`<section id="replay-report"><h2>Policy replay <span class="muted">${r.replay.file}</span></h2>
          <dl class="kv">${scalars.map(([k, x]) => html`<dt>${k}</dt><dd>${String(x)}</dd>`)}</dl>
          ${lists.map(([k, x]) => html`<h3>${k}</h3>${jsonTable(x as unknown[], `replay-${k}`)}`)}
          ${entries.length === 0 ? html`<pre class="json">${JSON.stringify(v, null, 2)}</pre>` : null}</section>`;
      })()
    : null;
  const diff = r.diff
    ? html`<section id="diff-report"><h2>Store vs collector (diff-otlp) <span class="muted">${r.diff.file}</span></h2>
        <p>${r.diff.value.differences === 0 ? badge("ok", `✓ ${r.diff.value.matched} span(s) match`) : badge("bad", `${r.diff.value.differences} difference(s)`)}
          store ${r.diff.value.store_spans} · collector ${r.diff.value.collector_spans} · matched ${r.diff.value.matched}
          · duplicates in collector ${r.diff.value.duplicates_in_collector.length}</p>
        ${r.diff.value.missing_in_collector.length ? html`<h3>Missing in collector</h3>${jsonTable(r.diff.value.missing_in_collector, "missing-in-collector")}` : null}
        ${r.diff.value.missing_in_store.length ? html`<h3>Missing in store</h3>${jsonTable(r.diff.value.missing_in_store, "missing-in-store")}` : null}
        ${r.diff.value.mismatched.length ? html`<h3>Differing fields</h3>${jsonTable(r.diff.value.mismatched, "mismatched")}` : null}
      </section>`
    : null;
  return html`<h1>Reports</h1>${replay}${diff}${!replay && !diff ? html`<p class="muted">No reports: start with --replay-report FILE or --diff-otlp FILE.</p>` : null}`;
}

export function errorBody(status: number, code: string, message: string): Html {
  return html`<h1>${status === 404 ? "Not found" : status === 400 ? "Bad request" : "Error"}</h1>
    <p class="error-text" id="error-message">${message}</p><p class="muted">code ${code}</p>
    <p><a href="/">overview</a> · <a href="/records">records</a></p>`;
}
