// Benchmark of `weft audit serve` on a store of 1,000,000 action records (target: p95 server
// time < 100 ms for the overview, a filtered records page and a record page):
//   1. start-to-first-page: spawn the CLI, wait for its URL, GET the overview — against `node -e ""`
//      and `weft --version` start-up measured in the same run;
//   2. per page, p50/p95 of the server's own time (its Server-Timing header) and of the time the
//      client sees, while the background workers verify the chains and count the store (phase
//      "busy") and after (phase "idle"), against a static file from the same server (the floor
//      of HTTP + token + headers) and the same SQL run in-process through better-sqlite3.
// Run: pnpm run build && node test/bench/serve/main.ts   (WEFT_BENCH_RECORDS to change the size)
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { openStore, type SpanRecordV1 } from "@weft/chained-store";

const here = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(here, "../../..");
const BIN = join(REPO, "packages/cli/dist/bin.js");
const SECRET = "bench-serve-secret-0123456789abcdef";
const N = Number(process.env["WEFT_BENCH_RECORDS"] ?? 1_000_000);
const SPANS = Math.min(N, 50_000);
const PRINCIPALS = 1000;
const REQUESTS = Number(process.env["WEFT_BENCH_REQUESTS"] ?? 60);

type Db = { prepare(sql: string): { all(...p: unknown[]): unknown[] }; close(): void };
const Database = createRequire(join(REPO, "packages/chained-store/package.json"))("better-sqlite3") as new (
  path: string,
  opts?: { readonly?: boolean },
) => Db;

function iso(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/\.(\d{3})Z$/, (_m, f: string) => (f === "000" ? "+00:00" : `.${f}000+00:00`));
}

function traceIdOf(j: number): string {
  return (j + 1).toString(16).padStart(32, "0");
}

function buildStore(path: string): number {
  const store = openStore({ path, secret: SECRET, synchronous: "NORMAL" });
  const t0 = performance.now();
  const base = Date.UTC(2026, 2, 1);
  const BATCH = 10_000;
  try {
    for (let i = 0; i < N; i += BATCH) {
      const batch = [];
      for (let j = i; j < Math.min(N, i + BATCH); j++) {
        const deny = j % 17 === 0;
        const failed = !deny && j % 101 === 0;
        batch.push({
          actionId: `act-${j.toString().padStart(8, "0")}`,
          capabilityId: `cap.${j % 50}`,
          principalId: `agent-${j % PRINCIPALS}`,
          tokenId: deny ? "" : `tok-${j}`,
          invokedAt: iso(base + j * 10),
          args: { id: j, q: "customer lookup" },
          responseMode: "summary" as const,
          driverId: deny ? "" : "memory",
          handleId: null,
          error: deny ? "denied: missing role" : failed ? "driver failed" : null,
          resultSummary: deny ? null : { fact_count: 1, row_count: 0, warning_count: 0, has_handle: false },
          sensitivity: "NONE" as const,
          eventType: deny ? ("deny" as const) : ("invoke" as const),
          reasonCode: deny ? (j % 2 === 0 ? "missing_role" : "insufficient_justification") : null,
        });
      }
      store.actions.appendBatch(batch);
    }
    // spans for the newest SPANS actions, one execute_tool span each, in traces of 5
    const spans: SpanRecordV1[] = [];
    for (let j = N - SPANS; j < N; j++) {
      const start = BigInt(base + j * 10) * 1_000_000n;
      spans.push({
        schema: "weft.span.v1",
        trace_id: traceIdOf(Math.floor(j / 5)),
        span_id: (j + 1).toString(16).padStart(16, "0"),
        parent_span_id: null,
        trace_state: null,
        name: `execute_tool cap.${j % 50}`,
        kind: "INTERNAL",
        start_time_unix_nano: start.toString(),
        end_time_unix_nano: (start + 4_000_000n).toString(),
        duration_nano: "4000000",
        status: { code: "UNSET", message: null },
        attributes: {
          "gen_ai.tool.call.id": `act-${j.toString().padStart(8, "0")}`,
          "weft.principal.id": `agent-${j % PRINCIPALS}`,
        },
        events: [],
        links: [],
        resource: { attributes: { "service.name": "bench" }, schema_url: null },
        scope: { name: "bench", version: null, schema_url: null },
        sampled: true,
        dropped: { attributes: 0, events: 0, links: 0 },
        redacted: [],
      });
      if (spans.length === BATCH) store.spans.appendBatch(spans.splice(0));
    }
    if (spans.length) store.spans.appendBatch(spans);
  } finally {
    store.close();
  }
  return performance.now() - t0;
}

interface Timed {
  status: number;
  clientMs: number;
  serverMs: number;
  body: string;
}

function get(port: number, path: string, token: string): Promise<Timed> {
  const t0 = performance.now();
  return new Promise((res, rej) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        path,
        headers: { Host: `127.0.0.1:${port}`, Authorization: `Bearer ${token}` },
      },
      (r) => {
        let body = "";
        r.setEncoding("utf8");
        r.on("data", (c: string) => {
          body += c;
        });
        r.on("end", () => {
          const st = /dur=([\d.]+)/.exec(String(r.headers["server-timing"] ?? ""));
          res({
            status: r.statusCode ?? 0,
            clientMs: performance.now() - t0,
            serverMs: st ? Number(st[1]) : Number.NaN,
            body,
          });
        });
      },
    );
    req.on("error", rej);
    req.end();
  });
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
}

function median(xs: number[]): number {
  return pct(xs, 50);
}

const f = (x: number) => x.toFixed(2).padStart(8);

async function measure(
  port: number,
  token: string,
  label: string,
  paths: () => string,
): Promise<{ p50: number; p95: number; c95: number }> {
  const server: number[] = [];
  const client: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const path = paths();
    const r = await get(port, path, token);
    if (r.status !== 200) throw new Error(`${path}: HTTP ${r.status}: ${r.body.slice(0, 300)}`);
    server.push(r.serverMs);
    client.push(r.clientMs);
  }
  const out = { p50: pct(server, 50), p95: pct(server, 95), c95: pct(client, 95) };
  console.log(
    `  ${label.padEnd(44)} server p50 ${f(out.p50)} ms  p95 ${f(out.p95)} ms   client p50 ${f(pct(client, 50))} p95 ${f(out.c95)} ms`,
  );
  return out;
}

function spawnTimed(args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${args.join(" ")}: ${r.stderr}`);
  return performance.now() - t0;
}

async function startToFirstPage(
  store: string,
): Promise<{ ms: number; child: ReturnType<typeof spawn>; port: number; token: string }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [BIN, "audit", "serve", "--store", store], {
    env: { ...process.env, WEFT_SECRET: SECRET },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const url = await new Promise<string>((res, rej) => {
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
      const m = /weft audit serve: (http:\/\/\S+)/.exec(out);
      if (m?.[1]) res(m[1]);
    });
    child.stderr.on("data", (c: Buffer) => {
      out += c.toString();
    });
    child.on("exit", (code) => rej(new Error(`serve exited ${code}: ${out}`)));
  });
  const u = new URL(url);
  const port = Number(u.port);
  const token = u.searchParams.get("token") ?? "";
  const r = await get(port, "/", token);
  if (r.status !== 200) throw new Error(`first page: HTTP ${r.status}`);
  return { ms: performance.now() - t0, child, port, token };
}

async function waitIdle(port: number, token: string): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    const o = JSON.parse((await get(port, "/index.json", token)).body) as {
      complete: boolean;
      integrity: Array<{ state: string }>;
    };
    if (o.complete && o.integrity.every((c) => c.state === "verified")) return performance.now() - t0;
    if (o.integrity.some((c) => c.state === "failed" || c.state === "error"))
      throw new Error("verification failed");
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "weft-bench-serve-"));
  const store = join(dir, "bench.db");
  try {
    console.log(
      `building a store of ${N.toLocaleString("en-US")} action records and ${SPANS.toLocaleString("en-US")} spans …`,
    );
    console.log(`  built in ${(buildStore(store) / 1000).toFixed(1)} s`);

    // start-up baselines
    const nodeStart = median([0, 1, 2, 3, 4].map(() => spawnTimed(["-e", ""])));
    const cliStart = median([0, 1, 2, 3, 4].map(() => spawnTimed([BIN, "--version"])));
    const first = await startToFirstPage(store);
    console.log("\nstart-to-first-page (spawn → URL printed → overview HTML received)");
    console.log(`  weft audit serve        ${f(first.ms)} ms`);
    console.log(`  baseline node -e ""     ${f(nodeStart)} ms   ratio ${(first.ms / nodeStart).toFixed(2)}x`);
    console.log(`  baseline weft --version ${f(cliStart)} ms   ratio ${(first.ms / cliStart).toFixed(2)}x`);

    const { port, token } = first;
    let k = 0;
    const randomSeq = () => `/records/${(k++ * 7919) % N}`;
    const pages: Array<[string, () => string]> = [
      ["static file (floor: HTTP + token + headers)", () => "/static/style.css"],
      ["overview (whole store)", () => "/"],
      ["records, first page (no filter)", () => "/records"],
      ["records, reason=missing_role (1 in 34)", () => "/records?reason=missing_role"],
      ["records, decision=error (1 in ~107)", () => "/records?decision=error"],
      ["records, principal=agent-7 (1 in 1000)", () => "/records?principal=agent-7"],
      [
        "records, capability + before-seq deep page",
        () => `/records?capability=cap.3&before-seq=${Math.floor(N / 2)}`,
      ],
      ["record page (random seq)", randomSeq],
      ["record page JSON twin", () => `${randomSeq()}.json`],
    ];
    const results = new Map<string, { p95: number }>();
    console.log(
      `\nphase busy: while the workers verify both chains and count ${N.toLocaleString("en-US")} records (${REQUESTS} requests per page)`,
    );
    for (const [label, path] of pages) await measure(port, token, label, path);
    const idleAfter = await waitIdle(port, token);
    console.log(`  (workers finished ${(idleAfter / 1000).toFixed(1)} s after the busy phase)`);
    console.log(`\nphase idle: chains verified, overview counted (${REQUESTS} requests per page)`);
    for (const [label, path] of pages) results.set(label, await measure(port, token, label, path));
    const filteredOverview = await measure(
      port,
      token,
      "overview filtered (reason=missing_role)",
      () => "/?reason=missing_role",
    );
    void filteredOverview;
    first.child.kill("SIGTERM");

    // in-process SQL baseline for the filtered page (what the store runs, without HTTP or HTML)
    const db = new Database(store, { readonly: true });
    const sql = (where: string) =>
      db.prepare(
        `SELECT seq, prev_hash, record_hash, payload FROM traces WHERE ${where} ORDER BY seq DESC LIMIT 51`,
      );
    const q1 = sql("(CASE WHEN json_valid(payload) THEN json_extract(payload, '$.reason_code') END) = ?");
    const t: number[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const t0 = performance.now();
      q1.all("missing_role");
      t.push(performance.now() - t0);
    }
    db.close();
    const base = pct(t, 95);
    const staticP95 = results.get("static file (floor: HTTP + token + headers)")?.p95 ?? Number.NaN;
    console.log("\nsummary (server p95, idle phase; target < 100 ms)");
    for (const label of [
      "overview (whole store)",
      "records, reason=missing_role (1 in 34)",
      "records, principal=agent-7 (1 in 1000)",
      "record page (random seq)",
    ]) {
      const r = results.get(label);
      if (!r) continue;
      console.log(
        `  ${label.padEnd(44)} ${f(r.p95)} ms  ${r.p95 < 100 ? "meets" : "MISSES"} target · ratio to static ${(r.p95 / staticP95).toFixed(1)}x`,
      );
    }
    console.log(
      `  same reason query in-process (SQL only)      ${f(base)} ms p95 · page/SQL ratio ${((results.get("records, reason=missing_role (1 in 34)")?.p95 ?? Number.NaN) / base).toFixed(2)}x`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
