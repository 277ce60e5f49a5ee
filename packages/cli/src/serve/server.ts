// `weft audit serve`'s HTTP server: node:http on loopback, one read-only store handle for pages,
// two workers for whole-store scans, server-sent events for live updates. Every route answers
// HTML or, with a `.json` suffix, its JSON twin from the same view model.
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Worker } from "node:worker_threads";
import type { ChainedStore, ChainName } from "@weft/chained-store";
import { WeftError } from "@weft/kernel";
import { traceJson } from "../commands/audit-trace.js";
import { NotFoundError, UsageError } from "../errors.js";
import { pythonJson } from "../json.js";
import { openTarget, type StoreTarget } from "../open-store.js";
import { traceIdLookup } from "../records.js";
import type { Html } from "./html.js";
import type { ChainIntegrity, FromWorker, OverviewSnapshot, ToWorker, WorkerInit } from "./messages.js";
import {
  errorBody,
  layout,
  overviewBody,
  type PageFrame,
  type Reports,
  recordBody,
  recordsBody,
  reportsBody,
  traceBody,
} from "./pages.js";
import { allowedHosts, applySecurityHeaders, gate } from "./security.js";
import {
  overviewFilters,
  parseSeq,
  recordDetail,
  recordDetailJson,
  recordJson,
  recordsPage,
  tracePage,
} from "./view-model.js";

export interface ServeOptions {
  target: StoreTarget;
  host: string;
  port: number;
  token: string;
  traceUrl?: string;
  reports: Reports;
  pollMs: number;
}

const STATIC: Record<string, string> = {
  "app.js": "text/javascript; charset=utf-8",
  "style.css": "text/css; charset=utf-8",
  "icon.svg": "image/svg+xml",
};

/** A request the server refuses with a status and a stable code (never a stack trace). */
class HttpError extends WeftError {
  constructor(
    readonly status: number,
    code: string,
    message: string,
  ) {
    super(code, message);
  }
}

function emptyIntegrity(chain: ChainName): ChainIntegrity {
  return {
    chain,
    records: 0,
    headSeq: null,
    state: "pending",
    checked: 0,
    total: 0,
    verifiedThrough: null,
    firstBadSeq: null,
    detail: "",
    verifiedAt: null,
    checkpoint: null,
  };
}

export class ForensicServer {
  readonly #options: ServeOptions;
  readonly #store: ChainedStore;
  readonly #server: Server;
  readonly #workers: Worker[] = [];
  readonly #integrity = new Map<ChainName, ChainIntegrity>([
    ["actions", emptyIntegrity("actions")],
    ["spans", emptyIntegrity("spans")],
  ]);
  #overview: OverviewSnapshot | undefined;
  readonly #pending = new Map<
    number,
    { resolve: (v: OverviewSnapshot) => void; reject: (e: Error) => void }
  >();
  #nextId = 1;
  readonly #clients = new Set<ServerResponse>();
  #heads = "";
  #timer: NodeJS.Timeout | undefined;
  readonly #static = new Map<string, Buffer>();
  #port = 0;
  #cookie = "weft_token";

  constructor(options: ServeOptions) {
    this.#options = options;
    this.#store = openTarget(options.target, { readonly: true });
    for (const name of Object.keys(STATIC)) {
      this.#static.set(name, readFileSync(new URL(`../../static/${name}`, import.meta.url)));
    }
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch((e: unknown) => this.#fail(req, res, e));
    });
  }

  get url(): string {
    const h = this.#options.host.includes(":") ? `[${this.#options.host}]` : this.#options.host;
    return `http://${h}:${this.#port}/?token=${this.#options.token}`;
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(this.#options.port, this.#options.host, () => resolve());
    });
    this.#port = (this.#server.address() as AddressInfo).port;
    this.#cookie = `weft_token_${this.#port}`;
    for (const role of ["verify", "count"] as const) this.#startWorker(role);
    this.#timer = setInterval(() => this.#tick(), this.#options.pollMs);
    this.#timer.unref();
  }

  #startWorker(role: WorkerInit["role"]): void {
    const init: WorkerInit = { role, target: this.#options.target, pollMs: this.#options.pollMs };
    const w = new Worker(new URL("./worker.js", import.meta.url), { workerData: init });
    w.on("message", (m: FromWorker) => this.#onWorker(m));
    w.on("error", (e) => {
      for (const c of this.#integrity.values()) {
        if (role === "verify") this.#integrity.set(c.chain, { ...c, state: "error", detail: e.message });
      }
      for (const p of this.#pending.values()) p.reject(e);
      this.#pending.clear();
      this.#broadcast();
    });
    w.unref();
    this.#workers.push(w);
  }

  #onWorker(m: FromWorker): void {
    if (m.type === "integrity") {
      this.#integrity.set(m.value.chain, m.value);
      this.#broadcast();
    } else if (m.type === "overview") {
      this.#overview = m.value;
      this.#broadcast();
    } else if (m.type === "answer") {
      this.#pending.get(m.id)?.resolve(m.value);
      this.#pending.delete(m.id);
    } else {
      const p = this.#pending.get(m.id);
      this.#pending.delete(m.id);
      p?.reject(
        m.code === "USAGE" ? new UsageError(m.message, "audit serve") : new WeftError(m.code, m.message),
      );
    }
  }

  /** Head changes seen by the pages' own handle (cheap: two indexed lookups). */
  #tick(): void {
    this.#broadcast();
  }

  #state(): Record<string, unknown> {
    let heads: unknown;
    try {
      heads = {
        actions: this.#store.actions.head()?.seq ?? null,
        spans: this.#store.spans.head()?.seq ?? null,
      };
    } catch {
      heads = null;
    }
    return {
      heads,
      integrity: [...this.#integrity.values()],
      counted: this.#overview?.countedThrough ?? null,
    };
  }

  #broadcast(): void {
    const state = JSON.stringify(this.#state());
    if (state === this.#heads) return;
    this.#heads = state;
    for (const c of this.#clients) c.write(`event: state\ndata: ${state}\n\n`);
  }

  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    for (const c of this.#clients) c.end();
    this.#clients.clear();
    for (const w of this.#workers) w.postMessage({ type: "stop" } satisfies ToWorker);
    await Promise.all(this.#workers.map((w) => w.terminate()));
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    this.#store.close();
  }

  #frame(page: PageFrame["page"], title: string, filters?: URLSearchParams): PageFrame {
    const frame: PageFrame = {
      title,
      page,
      storePath: this.#options.target.path,
      integrity: [...this.#integrity.values()],
      hasReports: this.#options.reports.replay !== undefined || this.#options.reports.diff !== undefined,
      liveState: JSON.stringify(this.#state()),
    };
    if (filters) frame.filters = filters;
    return frame;
  }

  #integrityJson(): unknown {
    return [...this.#integrity.values()].map((c) => ({
      chain: c.chain,
      records: c.records,
      head_seq: c.headSeq,
      state: c.state,
      checked: c.checked,
      total: c.total,
      verified_through: c.verifiedThrough,
      first_bad_seq: c.firstBadSeq,
      detail: c.detail,
      checkpoint:
        c.checkpoint === null
          ? null
          : {
              size: c.checkpoint.size,
              root_prefix: c.checkpoint.rootPrefix,
              signers: c.checkpoint.signers.map((x) => ({ name: x.name, key_id: x.keyId })),
              created_at: c.checkpoint.createdAt,
              ok: c.checkpoint.ok,
              detail: c.checkpoint.detail,
            },
    }));
  }

  /** When each request arrived, for its Server-Timing header (the benchmark reads it). */
  readonly #started = new WeakMap<ServerResponse, number>();

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.#started.set(res, performance.now());
    applySecurityHeaders(res);
    let url: URL;
    try {
      url = new URL(req.url ?? "/", "http://weft.invalid");
    } catch {
      throw new HttpError(400, "BAD_URL", "the request URL cannot be parsed");
    }
    const hosts = allowedHosts(this.#options.host, this.#port);
    const g = gate(req, url, this.#options.token, hosts, this.#cookie);
    if (!g.ok) {
      res.statusCode = g.status;
      if (g.status === 405) res.setHeader("Allow", "GET, HEAD");
      res.setHeader("Content-Type", "text/plain; charset=utf-8");
      res.end(`${g.message}\n`);
      return;
    }
    const path = url.pathname;
    const json = path.endsWith(".json");
    if (g.via === "query") {
      // The printed URL's token becomes a same-site cookie; HTML pages then drop it from the
      // address bar so it does not end up in screenshots, bookmarks or shared links.
      res.setHeader(
        "Set-Cookie",
        `${this.#cookie}=${this.#options.token}; HttpOnly; SameSite=Strict; Path=/`,
      );
      if (!json && path !== "/events") {
        url.searchParams.delete("token");
        res.statusCode = 303;
        res.setHeader("Location", url.pathname + (url.search === "?" ? "" : url.search));
        res.end();
        return;
      }
    }
    const params = new URLSearchParams(url.searchParams);
    params.delete("token");
    if (path.startsWith("/static/")) return this.#serveStatic(res, path.slice("/static/".length));
    if (path === "/events") return this.#events(req, res);
    if (path === "/" || path === "/index.json") return this.#overviewRoute(res, params, json);
    if (path === "/records" || path === "/records.json") return this.#recordsRoute(res, params, json);
    const receipt = /^\/records\/([^/]+)\/receipt$/.exec(path);
    if (receipt) return this.#receiptRoute(res, receipt[1] ?? "");
    let m = /^\/records\/([^/]+?)(\.json)?$/.exec(path);
    if (m) return this.#recordRoute(res, m[1] ?? "", m[2] !== undefined);
    m = /^\/traces\/([^/]+?)(\.json)?$/.exec(path);
    if (m) return this.#traceRoute(res, m[1] ?? "", m[2] !== undefined);
    if (path === "/reports" || path === "/reports.json") return this.#reportsRoute(res, json);
    throw new HttpError(404, "NOT_FOUND", `no page at ${path}`);
  }

  #send(res: ServerResponse, status: number, body: string, type: string): void {
    const t0 = this.#started.get(res);
    if (t0 !== undefined) res.setHeader("Server-Timing", `app;dur=${(performance.now() - t0).toFixed(2)}`);
    res.statusCode = status;
    res.setHeader("Content-Type", type);
    res.end(body);
  }

  #sendJson(res: ServerResponse, value: unknown, status = 200): void {
    this.#send(res, status, `${pythonJson(value, 2)}\n`, "application/json; charset=utf-8");
  }

  #sendPage(res: ServerResponse, frame: PageFrame, body: Html, status = 200): void {
    this.#send(res, status, layout(frame, body), "text/html; charset=utf-8");
  }

  #serveStatic(res: ServerResponse, name: string): void {
    const body = this.#static.get(name);
    const type = STATIC[name];
    if (body === undefined || type === undefined) throw new HttpError(404, "NOT_FOUND", "no such file");
    this.#send(res, 200, body.toString("utf8"), type);
  }

  #events(req: IncomingMessage, res: ServerResponse): void {
    res.statusCode = 200;
    res.setHeader("Content-Type", "text/event-stream; charset=utf-8");
    res.setHeader("Connection", "keep-alive");
    res.write(`retry: 2000\nevent: state\ndata: ${JSON.stringify(this.#state())}\n\n`);
    this.#clients.add(res);
    req.on("close", () => this.#clients.delete(res));
  }

  async #overviewRoute(res: ServerResponse, params: URLSearchParams, json: boolean): Promise<void> {
    overviewFilters(params); // validates before any work, so a bad filter is a 400 here
    const narrowed = [...params.values()].some((v) => v !== "");
    let o: OverviewSnapshot | undefined = narrowed ? await this.#askOverview(params) : this.#overview;
    if (o === undefined) {
      o = {
        stats: {
          total: 0,
          first_invoked_at: null,
          last_invoked_at: null,
          window: { since: null, until: null },
          spans: 0,
          by_event: {},
          by_outcome: {},
          by_reason: {},
          by_principal: {},
          by_capability: {},
        },
        byDecision: { allow: 0, deny: 0, error: 0 },
        byAgent: {},
        timeline: [],
        countedThrough: null,
        complete: false,
      };
    }
    if (json) {
      this.#sendJson(res, {
        integrity: this.#integrityJson(),
        complete: o.complete,
        stats: o.stats,
        by_decision: o.byDecision,
        by_agent: o.byAgent,
        timeline: o.timeline,
      });
      return;
    }
    this.#sendPage(res, this.#frame("overview", "Overview", params), overviewBody(o, params));
  }

  #askOverview(params: URLSearchParams): Promise<OverviewSnapshot> {
    const worker = this.#workers[1];
    if (worker === undefined)
      return Promise.reject(new HttpError(503, "NOT_READY", "the server is not ready"));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      worker.postMessage({ type: "overview", id, params: params.toString() } satisfies ToWorker);
    });
  }

  #recordsRoute(res: ServerResponse, params: URLSearchParams, json: boolean): void {
    const page = recordsPage(this.#store, params);
    const chain = this.#integrity.get("actions");
    if (json) {
      this.#sendJson(res, {
        integrity: this.#integrityJson(),
        limit: page.limit,
        older_before_seq: page.older,
        newer_after_seq: page.newer,
        records: page.rows.map((r) => recordJson(r, chain, traceIdLookup(this.#store))),
      });
      return;
    }
    this.#sendPage(res, this.#frame("records", "Records", params), recordsBody(page, chain));
  }

  #recordRoute(res: ServerResponse, raw: string, json: boolean): void {
    const d = recordDetail(this.#store, parseSeq(raw));
    const chain = this.#integrity.get("actions");
    if (json) {
      this.#sendJson(res, {
        integrity: this.#integrityJson(),
        ...recordDetailJson(d, chain, traceIdLookup(this.#store)),
      });
      return;
    }
    const cp = chain?.checkpoint ?? null;
    this.#sendPage(
      res,
      this.#frame("record", `Record ${d.record.seq}`),
      recordBody(d, chain, this.#options.traceUrl, cp !== null && d.record.seq < cp.size),
    );
  }

  /** The record's c2sp.org/tlog-proof receipt against the latest checkpoint, as a download. */
  #receiptRoute(res: ServerResponse, raw: string): void {
    const seq = parseSeq(raw);
    const t = this.#store.transparency;
    if (t === undefined || t.latestCheckpoint("actions") === undefined) {
      throw new HttpError(404, "NO_CHECKPOINT", "this store has no signed checkpoint, so no receipt");
    }
    let text: string;
    try {
      text = t.receipt("actions", seq);
    } catch (e) {
      throw new HttpError(404, "NO_RECEIPT", e instanceof Error ? e.message : String(e));
    }
    res.setHeader("Content-Disposition", `attachment; filename="weft-actions-${seq}.tlog-proof"`);
    this.#send(res, 200, text, "text/plain; charset=utf-8");
  }

  #traceRoute(res: ServerResponse, raw: string, json: boolean): void {
    const report = tracePage(this.#store, raw);
    if (json) {
      this.#sendJson(res, traceJson(report));
      return;
    }
    const seqs = new Map<string, number>();
    for (const id of report.actions.byId.keys()) {
      const r = this.#store.actions.getRecord(id);
      if (r) seqs.set(id, r.seq);
    }
    this.#sendPage(
      res,
      this.#frame("trace", `Trace ${report.traceId}`),
      traceBody(report, this.#options.traceUrl, seqs),
    );
  }

  #reportsRoute(res: ServerResponse, json: boolean): void {
    const r = this.#options.reports;
    if (json) {
      this.#sendJson(res, { replay: r.replay?.value ?? null, diff_otlp: r.diff?.value ?? null });
      return;
    }
    this.#sendPage(res, this.#frame("reports", "Reports"), reportsBody(r));
  }

  #fail(req: IncomingMessage, res: ServerResponse, e: unknown): void {
    let status = 500;
    let code = "INTERNAL";
    let message = "unexpected failure (run with WEFT_DEBUG=1 for details)";
    if (e instanceof HttpError) {
      status = e.status;
      code = e.code;
      message = e.message;
    } else if (e instanceof UsageError) {
      status = 400;
      code = e.code;
      message = e.message;
    } else if (e instanceof NotFoundError) {
      status = 404;
      code = e.code;
      message = e.message;
    } else if (e instanceof WeftError) {
      code = e.code;
      message = e.message;
    }
    if (status === 500 && process.env["WEFT_DEBUG"])
      process.stderr.write(`${String((e as Error)?.stack ?? e)}\n`);
    if (res.headersSent) {
      res.end();
      return;
    }
    const json = (req.url ?? "").split("?")[0]?.endsWith(".json") ?? false;
    if (json) {
      this.#sendJson(res, { error: { code, message } }, status);
      return;
    }
    this.#sendPage(res, this.#frame("error", "Error"), errorBody(status, code, message), status);
  }
}
