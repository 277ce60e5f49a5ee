// HttpDriver: capabilities served by HTTP endpoints, via global fetch. Args travel as a JSON body
// (POST) by default: a URL is copied into HTTP client spans (`url.full`), proxy and access logs,
// and Weft promises that raw args never reach telemetry. Query-string args (the reference
// `HTTPDriver`'s GET behaviour) are an explicit per-route opt-in. Every failure is a DriverError
// whose message names the URL without the query string, so args never leak into it.

import { repr } from "@weft/wire";
import { DriverError, InvalidArgumentError } from "../errors.js";
import type { RawResult } from "../models.js";
import type { Driver, ExecutionContext } from "./driver.js";

/** Where a route sends the call's args. */
export type HttpArgsIn = "body" | "query";

export interface HttpRoute {
  /**
   * Default "POST" (args in a JSON body), or "GET" when `argsIn` is "query". An explicit GET,
   * HEAD or DELETE without `argsIn` sends args in the query string, as the reference does, and
   * emits a one-time `WEFT_HTTP_ARGS_IN_URL` warning.
   */
  method?: string;
  /**
   * "body" (default): args as a JSON body, so they appear in no URL, span or access log.
   * "query": args as query parameters — the URL, and therefore HTTP client spans (`url.full`)
   * and server/proxy access logs, then contain raw arg values. Opt in only for non-sensitive args.
   */
  argsIn?: HttpArgsIn;
  /** Path appended to `baseUrl`, or an absolute URL. */
  path: string;
  headers?: Record<string, string>;
  /** Overrides the driver's timeout for this route. */
  timeoutMs?: number;
  /** "json" (default) or "text". */
  responseFormat?: "json" | "text";
}

export interface HttpDriverOptions {
  baseUrl?: string;
  /** Keyed by capability id (or by `args.operation` when the caller sets it). */
  routes: Readonly<Record<string, HttpRoute>>;
  /** Default 30 000. */
  timeoutMs?: number;
  headers?: Record<string, string>;
  /** Reject bodies larger than this many bytes. */
  maxResponseBytes?: number;
}

/** Methods fetch cannot (GET, HEAD) or by convention does not (DELETE) send a body with. */
const BODYLESS_METHODS: ReadonlySet<string> = new Set(["GET", "HEAD", "DELETE"]);

interface ResolvedRoute {
  method: string;
  argsIn: HttpArgsIn;
}

function resolveRoute(driverId: string, key: string, route: HttpRoute): ResolvedRoute {
  const argsIn = route.argsIn;
  if (argsIn !== undefined && argsIn !== "body" && argsIn !== "query")
    throw new InvalidArgumentError(
      `HttpDriver ${repr.str(driverId)} route ${repr.str(key)}: argsIn must be "body" or "query".`,
    );
  const method = (route.method ?? (argsIn === "query" ? "GET" : "POST")).toUpperCase();
  if (argsIn === "body" && (method === "GET" || method === "HEAD"))
    throw new InvalidArgumentError(
      `HttpDriver ${repr.str(driverId)} route ${repr.str(key)}: a ${method} request cannot carry a body; use POST, or argsIn: "query" to put args in the URL.`,
    );
  if (argsIn !== undefined) return { method, argsIn };
  if (BODYLESS_METHODS.has(method)) {
    // The route chose a bodyless method without saying where args go: keep the reference
    // behaviour (query string) but say once that its URLs will carry arg values.
    process.emitWarning(
      `HttpDriver ${repr.str(driverId)} route ${repr.str(key)} (${method}) sends args in the URL query string, so HTTP client spans and access logs will contain them. Set argsIn: "query" to acknowledge, or use POST (the default) to send them as a JSON body.`,
      { code: "WEFT_HTTP_ARGS_IN_URL" },
    );
    return { method, argsIn: "query" };
  }
  return { method, argsIn: "body" };
}

export class HttpDriver implements Driver {
  readonly driverId: string;
  readonly #opts: HttpDriverOptions;
  readonly #timeoutMs: number;
  readonly #resolved = new Map<string, ResolvedRoute>();

  constructor(driverId: string, options: HttpDriverOptions) {
    this.driverId = driverId;
    this.#opts = options;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    if (!(this.#timeoutMs > 0))
      throw new InvalidArgumentError(`timeoutMs must be positive, got ${this.#timeoutMs}.`);
    // Resolved once, so a bad route fails at construction and the warning is emitted once.
    for (const [key, route] of Object.entries(options.routes ?? {}))
      this.#resolved.set(key, resolveRoute(driverId, key, route));
  }

  handles(capabilityId: string): boolean {
    return Object.hasOwn(this.#opts.routes, capabilityId);
  }

  async execute(ctx: ExecutionContext): Promise<RawResult> {
    const operation = typeof ctx.args.operation === "string" ? ctx.args.operation : ctx.capabilityId;
    const route = Object.hasOwn(this.#opts.routes, operation) ? this.#opts.routes[operation] : undefined;
    const name = repr.str(this.driverId);
    if (route === undefined)
      throw new DriverError(`HttpDriver ${name} has no endpoint for operation=${repr.str(operation)}.`);
    const { method, argsIn } = this.#resolved.get(operation) ?? resolveRoute(this.driverId, operation, route);
    const url = new URL(route.path, this.#opts.baseUrl);
    const shownUrl = `${url.origin}${url.pathname}`;
    const payload = Object.fromEntries(Object.entries(ctx.args).filter(([k]) => k !== "operation"));
    const headers: Record<string, string> = { ...this.#opts.headers, ...route.headers };
    let body: string | undefined;
    if (argsIn === "query") {
      for (const [k, v] of Object.entries(payload))
        url.searchParams.append(k, typeof v === "string" ? v : JSON.stringify(v));
    } else {
      body = JSON.stringify(payload);
      headers["content-type"] ??= "application/json";
    }
    const timeoutMs = route.timeoutMs ?? this.#timeoutMs;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = ctx.signal ? AbortSignal.any([timeout, ctx.signal]) : timeout;
    let res: Response;
    let text: string;
    try {
      res = await fetch(url, { method, headers, body, signal });
      text = await readBounded(
        res,
        this.#opts.maxResponseBytes,
        () =>
          new DriverError(
            `HttpDriver ${name}: response from ${shownUrl} exceeded maxResponseBytes (${this.#opts.maxResponseBytes}).`,
          ),
      );
    } catch (err) {
      if (err instanceof DriverError) throw err;
      if (timeout.aborted)
        throw new DriverError(`HttpDriver ${name}: request to ${shownUrl} timed out after ${timeoutMs} ms.`);
      const reason =
        err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
      throw new DriverError(`HttpDriver ${name}: request to ${shownUrl} failed: ${reason}`);
    }
    if (!res.ok)
      throw new DriverError(`HttpDriver ${name}: HTTP ${res.status} from ${shownUrl}: ${text.slice(0, 200)}`);
    let data: unknown = text;
    if ((route.responseFormat ?? "json") === "json") {
      try {
        data = text === "" ? null : JSON.parse(text);
      } catch {
        const ct = res.headers.get("content-type") || "unknown";
        throw new DriverError(
          `HttpDriver ${name}: non-JSON response from ${shownUrl} (content-type: ${ct}): ${text.slice(0, 200)}`,
        );
      }
    }
    return { capabilityId: ctx.capabilityId, data, metadata: { statusCode: res.status, url: shownUrl } };
  }
}

async function readBounded(res: Response, limit: number | undefined, tooBig: () => Error): Promise<string> {
  if (limit === undefined || res.body === null) return res.text();
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    n += value.byteLength;
    if (n > limit) {
      await reader.cancel();
      throw tooBig();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}
