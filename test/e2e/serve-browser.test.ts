// `weft audit serve` in a real browser: Debian's headless Chromium (installed by the bootstrap
// when missing) driven by playwright-core, against the agent demo's store and altered copies.
// Any console error, page error or dialog fails the test; each page is screenshotted to
// test-results/serve/ (light, dark, phone).

import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type ChromiumInstall, ensureChromium, launchChromium } from "./support/chromium.js";
import { REPO_ROOT } from "./support/collector.js";
import { type DemoReportJson, ensureWorkspaceBuilt, killDemos } from "./support/demo.js";
import { killServers, type ServeProcess, startServe, weft } from "./support/serve.js";
import {
  appendHostile,
  appendRecords,
  copyStore,
  HOSTILE_PRINCIPAL,
  HOSTILE_SPAN_NAME,
  HOSTILE_TRACE_ID,
  runDemo,
  SERVE_SECRET,
  tamperAction,
} from "./support/serve-fixtures.js";

const ENV = { WEFT_SECRET: SERVE_SECRET };
const SHOTS = join(REPO_ROOT, "test-results/serve");

let install: ChromiumInstall = { ok: false, reason: "not checked yet" };
let work = "";
let store = "";
let report: DemoReportJson;
let serve: ServeProcess;
let browser: Browser | undefined;
const contexts: BrowserContext[] = [];
const problems: string[] = [];

beforeAll(async () => {
  install = ensureChromium();
  if (!install.ok) {
    console.warn(`SKIPPED: web-view browser tests: ${install.reason}`);
    return;
  }
  ensureWorkspaceBuilt();
  mkdirSync(SHOTS, { recursive: true });
  work = mkdtempSync(join(tmpdir(), "weft-serve-browser-"));
  ({ store, report } = await runDemo(work));
  serve = await startServe(["--store", store, "--trace-url", "http://localhost:16686/trace/{traceId}"], ENV);
  browser = await launchChromium(install.binary);
}, 900_000);

async function closePages(): Promise<void> {
  for (const c of contexts.splice(0)) await c.close();
}

afterEach(async () => {
  await closePages();
  const seen = problems.splice(0);
  expect(seen, "console errors, page errors or dialogs").toEqual([]);
});

afterAll(async () => {
  if (process.env["DEBUG_SERVE"]) console.log(serve?.output());
  await browser?.close();
  await serve?.stop();
  killServers();
  killDemos();
  if (work) rmSync(work, { recursive: true, force: true });
});

async function open(
  s: ServeProcess,
  path = "/",
  options: { dark?: boolean; phone?: boolean; javaScript?: boolean } = {},
): Promise<Page> {
  if (!browser) throw new Error("no browser");
  const context = await browser.newContext({
    colorScheme: options.dark ? "dark" : "light",
    viewport: options.phone ? { width: 390, height: 844 } : { width: 1280, height: 860 },
    deviceScaleFactor: 1,
    javaScriptEnabled: options.javaScript ?? true,
  });
  contexts.push(context);
  const page = await context.newPage();
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("dialog", (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  // the printed URL (with the token) sets the cookie and redirects to the clean path
  await page.goto(`${s.origin}/?token=${s.token}`);
  if (path !== "/") await page.goto(`${s.origin}${path}`);
  return page;
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

async function waitVerified(page: Page): Promise<void> {
  // the integrity header is swapped in live; page.waitForFunction would need eval, which the CSP forbids
  await expect
    .poll(() => page.locator('#integrity .chain[data-state="verified"]').count(), { timeout: 90_000 })
    .toBe(2);
}

/** A browser test; skipped (with the loud reason printed once in beforeAll) when Chromium is unavailable. */
function browserIt(name: string, fn: () => Promise<void>): void {
  it(name, { timeout: 180_000 }, async (ctx) => {
    if (!install.ok) ctx.skip();
    await fn();
  });
}

describe("weft audit serve in Chromium", () => {
  browserIt("the overview shows the demo's counts, in light, dark and phone layouts", async () => {
    const page = await open(serve);
    await waitVerified(page);
    await page.reload();
    expect(new URL(page.url()).search).toBe(""); // the token left the address bar
    const count = async (id: string) =>
      Number((await page.textContent(`#count-${id} .n`))?.replace(/,/g, ""));
    // the demo's own KernelStats, counted by the kernel as it ran (not read back from the store)
    const stat = (k: string): number => {
      const v = report.stats[k];
      if (typeof v !== "number") throw new Error(`demo report has no stats.${k}`);
      return v;
    };
    expect(await count("total")).toBe(report.actions.records);
    expect(await count("deny")).toBe(stat("denials"));
    expect(await count("error")).toBe(stat("invocationFailures"));
    expect(await count("allow")).toBe(stat("invocations") - stat("invocationFailures") + stat("expansions"));
    const reasons = await page.$$eval("#facet-reason li", (lis) =>
      lis.map((li) => [
        li.querySelector(".facet-value")?.textContent,
        Number(li.querySelector(".facet-count")?.textContent),
      ]),
    );
    expect(Object.fromEntries(reasons)).toEqual(report.denialsByReason);
    expect(await page.$$eval("#timeline g.bar", (g) => g.length)).toBeGreaterThan(0);
    await shot(page, "overview");
    const dark = await open(serve, "/", { dark: true });
    await waitVerified(dark);
    await shot(dark, "overview-dark");
    const phone = await open(serve, "/", { phone: true });
    await waitVerified(phone);
    await shot(phone, "overview-phone");
  });

  browserIt("renders fully without JavaScript (server-side first paint)", async () => {
    const page = await open(serve, "/records", { javaScript: false });
    expect(await page.$$eval("#records tbody tr", (r) => r.length)).toBe(report.actions.records);
    const o = await open(serve, "/", { javaScript: false });
    expect(Number(await o.textContent("#count-total .n"))).toBe(report.actions.records);
  });

  browserIt("filtering by a reason code narrows the table and the URL", async () => {
    const page = await open(serve, "/records");
    const all = await page.$$eval("#records tbody tr", (r) => r.length);
    expect(all).toBe(report.actions.records);
    await page.fill("#f-reason", "missing_role");
    await Promise.all([page.waitForURL(/reason=missing_role/), page.click("#filters button[type=submit]")]);
    const url = new URL(page.url());
    expect([...url.searchParams]).toEqual([["reason", "missing_role"]]); // empty fields are not in the URL
    const reasons = await page.$$eval("#records tbody td.reason", (tds) => tds.map((td) => td.textContent));
    expect(reasons.length).toBe(report.denialsByReason["missing_role"]);
    expect(new Set(reasons)).toEqual(new Set(["missing_role"]));
    await shot(page, "records-filtered");
    // a facet on the overview filters the same way
    const o = await open(serve, "/");
    await Promise.all([
      o.waitForURL(/reason=insufficient_justification/),
      o.click("#facet-reason a.facet-value >> text=insufficient_justification"),
    ]);
    expect(Number(await o.textContent("#count-total .n"))).toBe(
      report.denialsByReason["insufficient_justification"],
    );
  });

  browserIt(
    "a record page shows the hashes `weft audit show --json` reports, linked to its neighbours",
    async () => {
      const page = await open(serve, "/records");
      await waitVerified(page);
      const seq = Number(await page.getAttribute("#records tbody tr:nth-child(3)", "data-seq"));
      await Promise.all([
        page.waitForURL(new RegExp(`/records/${seq}$`)),
        page.click(`#records tbody tr[data-seq="${seq}"] td.num a`),
      ]);
      const shown = JSON.parse(
        weft(["audit", "show", String(seq), "--store", store, "--envelope", "--json"], ENV).stdout,
      ) as { record_hash: string; prev_hash: string; record: { action_id: string } };
      expect(await page.textContent("#record-hash")).toBe(shown.record_hash);
      expect(await page.textContent("#prev-hash")).toBe(shown.prev_hash);
      expect(await page.textContent("#record-integrity")).toContain("verified");
      expect(await page.textContent("#canonical")).toContain(`"action_id":"${shown.record.action_id}"`);
      await shot(page, "record");
      await Promise.all([page.waitForURL(new RegExp(`/records/${seq - 1}$`)), page.click("#prev-record")]);
      const prev = JSON.parse(
        weft(["audit", "show", String(seq - 1), "--store", store, "--envelope", "--json"], ENV).stdout,
      ) as {
        record_hash: string;
      };
      expect(prev.record_hash).toBe(shown.prev_hash);
      expect(await page.textContent("#record-hash")).toBe(prev.record_hash);
    },
  );

  browserIt("the waterfall has the trace's spans in order, with decision badges and a link out", async () => {
    // the demo's trace with a denial
    const traceId = report.traceIds.find((id) => {
      const t = JSON.parse(weft(["audit", "trace", id, "--store", store, "--json"], ENV).stdout) as {
        spans: unknown[];
      };
      return (
        JSON.stringify(t).includes('"event_type": "deny"') ||
        JSON.stringify(t).includes('"event_type":"deny"')
      );
    });
    expect(traceId).toBeDefined();
    const tree = JSON.parse(
      weft(["audit", "trace", traceId ?? "", "--store", store, "--json"], ENV).stdout,
    ) as {
      span_count: number;
      spans: Array<{ span_id: string; children: unknown[] }>;
    };
    const ids = new Set<string>();
    const walk = (n: { span_id: string; children: unknown[] }) => {
      ids.add(n.span_id);
      for (const c of n.children as Array<{ span_id: string; children: unknown[] }>) walk(c);
    };
    for (const r of tree.spans) walk(r);
    const page = await open(serve, `/traces/${traceId}`);
    const rows = await page.$$eval("#waterfall tbody tr", (trs) =>
      trs.map((tr) => ({
        id: tr.getAttribute("data-span-id") ?? "",
        parent: tr.getAttribute("data-parent") ?? "",
        start: tr.getAttribute("data-start") ?? "",
        end: tr.getAttribute("data-end") ?? "",
        x: Number(tr.querySelector("rect")?.getAttribute("x")),
        width: Number(tr.querySelector("rect")?.getAttribute("width")),
      })),
    );
    // each bar sits at its span's offset and has its span's length, as a share of the trace
    const t0 = rows.reduce(
      (m, r) => (BigInt(r.start) < m ? BigInt(r.start) : m),
      BigInt(rows[0]?.start ?? 0),
    );
    const t1 = rows.reduce((m, r) => (BigInt(r.end) > m ? BigInt(r.end) : m), 0n);
    for (const r of rows) {
      const share = (a: bigint) => (Number(a) / Number(t1 - t0)) * 100;
      expect(Math.abs(r.x - share(BigInt(r.start) - t0)), r.id).toBeLessThan(0.6);
      expect(Math.abs(r.width - Math.max(0.3, share(BigInt(r.end) - BigInt(r.start)))), r.id).toBeLessThan(
        0.6,
      );
    }
    expect(rows.length).toBe(tree.span_count);
    expect(new Set(rows.map((r) => r.id))).toEqual(ids);
    const position = new Map(rows.map((r, i) => [r.id, i]));
    rows.forEach((r, i) => {
      // a span comes after its parent; siblings appear in start-time order
      if (r.parent && position.has(r.parent)) expect(position.get(r.parent)).toBeLessThan(i);
      const prevSibling = rows
        .slice(0, i)
        .reverse()
        .find((x) => x.parent === r.parent);
      if (prevSibling) expect(BigInt(prevSibling.start) <= BigInt(r.start)).toBe(true);
    });
    expect(await page.$$eval("#waterfall .badge.deny", (b) => b.length)).toBeGreaterThan(0);
    expect(await page.getAttribute("#trace-url", "href")).toBe(`http://localhost:16686/trace/${traceId}`);
    await shot(page, "trace");
  });

  browserIt("a tampered store shows the red banner with the right seq", async () => {
    const bad = copyStore(store, join(work, "tampered.db"));
    tamperAction(bad, 4);
    const s = await startServe(["--store", bad], ENV);
    try {
      const page = await open(s);
      await page.waitForSelector("#tamper-banner", { timeout: 90_000 });
      const text = await page.textContent("#tamper-banner");
      expect(text).toContain("actions chain");
      expect(text).toMatch(/seq 4\b/);
      expect(await page.getAttribute('#integrity .chain[data-chain="actions"]', "data-first-bad-seq")).toBe(
        "4",
      );
      await shot(page, "tampered");
      const rec = await open(s, "/records/4");
      expect(await rec.textContent("#record-integrity")).toContain("tampered");
      expect(await rec.isVisible("#tamper-banner")).toBe(true); // on every page
    } finally {
      await closePages(); // before the server goes, so no page logs a lost connection
      await s.stop();
    }
  });

  browserIt("markup in store values renders as text and runs nothing", async () => {
    const path = copyStore(store, join(work, "hostile.db"));
    const { seq } = appendHostile(path);
    const s = await startServe(["--store", path], ENV);
    try {
      const page = await open(s, "/records");
      const cell = page.locator(`#records tbody tr[data-seq="${seq}"] td.principal`);
      expect(await cell.textContent()).toBe(HOSTILE_PRINCIPAL);
      expect(
        await page.$$eval("#records img, #records script, #records svg, #records iframe", (e) => e.length),
      ).toBe(0);
      const o = await open(s, "/");
      expect(await o.$$eval("main img, main iframe", (e) => e.length)).toBe(0);
      // (the count finishes in the background; the page follows live)
      await expect
        .poll(() => o.locator("#facet-principal").textContent(), { timeout: 90_000 })
        .toContain(HOSTILE_PRINCIPAL);
      const rec = await open(s, `/records/${seq}`);
      expect(await rec.textContent("dd.principal")).toBe(HOSTILE_PRINCIPAL);
      const trace = await open(s, `/traces/${HOSTILE_TRACE_ID}`);
      expect(await trace.textContent("#waterfall .span-name")).toBe(HOSTILE_SPAN_NAME);
      await shot(rec, "hostile-record");
      // give any injected handler a chance to fire before the afterEach check
      await trace.waitForTimeout(300);
    } finally {
      await closePages(); // before the server goes, so no page logs a lost connection
      await s.stop();
    }
  });

  browserIt("new records appear while an app writes the store", async () => {
    const path = copyStore(store, join(work, "live.db"));
    const s = await startServe(["--store", path, "--poll-ms", "200"], ENV);
    try {
      const page = await open(s, "/records");
      await page.locator("#live-state", { hasText: "on" }).waitFor({ timeout: 90_000 });
      const before = await page.$$eval("#records tbody tr", (r) => r.length);
      const seqs = appendRecords(path, 2, "browser");
      await page.waitForSelector(`#records tbody tr[data-seq="${seqs[1]}"]`, { timeout: 90_000 });
      expect(await page.$$eval("#records tbody tr", (r) => r.length)).toBe(before + 2);
      await page.waitForSelector(`#records tbody tr[data-seq="${seqs[1]}"]:not(.unverified)`, {
        timeout: 90_000,
      });
    } finally {
      await closePages(); // before the server goes, so no page logs a lost connection
      await s.stop();
    }
  });
});
