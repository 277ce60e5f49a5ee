// HttpDriver: capabilities served by HTTP endpoints, via global fetch. GET/DELETE send args as
// query parameters, other methods as a JSON body (reference `HTTPDriver`). Every failure is a
// DriverError whose message names the URL without the query string, so args never leak into it.

import { DriverError, InvalidArgumentError } from "../errors.js";
import type { RawResult } from "../models.js";
import { pyStrRepr } from "../pyjson.js";
import type { Driver, ExecutionContext } from "./driver.js";

export interface HttpRoute {
  /** Default "GET". */
  method?: string;
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

export class HttpDriver implements Driver {
  readonly driverId: string;
  readonly #opts: HttpDriverOptions;
  readonly #timeoutMs: number;

  constructor(driverId: string, options: HttpDriverOptions) {
    this.driverId = driverId;
    this.#opts = options;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    if (!(this.#timeoutMs > 0))
      throw new InvalidArgumentError(`timeoutMs must be positive, got ${this.#timeoutMs}.`);
  }

  handles(capabilityId: string): boolean {
    return Object.hasOwn(this.#opts.routes, capabilityId);
  }

  async execute(ctx: ExecutionContext): Promise<RawResult> {
    const operation = typeof ctx.args.operation === "string" ? ctx.args.operation : ctx.capabilityId;
    const route = Object.hasOwn(this.#opts.routes, operation) ? this.#opts.routes[operation] : undefined;
    const name = pyStrRepr(this.driverId);
    if (route === undefined)
      throw new DriverError(`HttpDriver ${name} has no endpoint for operation=${pyStrRepr(operation)}.`);
    const method = (route.method ?? "GET").toUpperCase();
    const url = new URL(route.path, this.#opts.baseUrl);
    const shownUrl = `${url.origin}${url.pathname}`;
    const payload = Object.fromEntries(Object.entries(ctx.args).filter(([k]) => k !== "operation"));
    const headers: Record<string, string> = { ...this.#opts.headers, ...route.headers };
    let body: string | undefined;
    if (method === "GET" || method === "DELETE") {
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
