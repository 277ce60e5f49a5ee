// HTTP sink: POSTs events as NDJSON batches, in order, one request at a time. Retries 429, 5xx,
// timeouts and network errors with exponential backoff (jittered, Retry-After honoured); any
// other status fails at once. close() aborts in-flight requests and backoff waits, so shutdown
// never hangs on an unresponsive SIEM. Requests run with tracing suppressed so an instrumented
// fetch does not turn the exporter's own traffic into more spans to export.
import { context, createContextKey } from "@opentelemetry/api";
import { OcsfConfigError, OcsfExporterClosedError, OcsfSinkError } from "../errors.js";
import type { OcsfSink } from "./sink.js";

// Same key as @opentelemetry/core's suppressTracing (createContextKey is Symbol.for), without
// depending on core.
const SUPPRESS_TRACING_KEY = createContextKey("OpenTelemetry SDK Context Key SUPPRESS_TRACING");

export interface HttpSinkOptions {
  url: string | URL;
  /** Extra request headers (e.g. an Authorization header for the SIEM). */
  headers?: Record<string, string>;
  /** Per-request timeout (default 10 000 ms). */
  timeoutMs?: number;
  /** Retries after the first attempt (default 5). */
  maxRetries?: number;
  /** First backoff delay (default 500 ms); doubles per retry, with jitter. */
  initialBackoffMs?: number;
  /** Cap on any single wait, including a server's Retry-After (default 30 000 ms). */
  maxBackoffMs?: number;
  /** Events per POST (default 500). */
  maxBatchEvents?: number;
  /** Body bytes per POST (default 4 MiB; a single larger event is sent alone). */
  maxBatchBytes?: number;
}

export interface HttpSinkStats {
  eventsSent: number;
  batchesSent: number;
  requests: number;
  retries: number;
  failedBatches: number;
}

type Attempt =
  | { ok: true }
  | { ok: false; retry: boolean; status?: number; retryAfterMs?: number; cause?: unknown };

/** Retry-After: delta-seconds or an HTTP date; undefined when absent or unparseable. */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

function positiveInt(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min)
    throw new OcsfConfigError(`${name} must be an integer >= ${min}`);
  return value;
}

export class HttpSink implements OcsfSink {
  readonly url: URL;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;
  private readonly maxRetries: number;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly maxBatchEvents: number;
  private readonly maxBatchBytes: number;
  private readonly aborter = new AbortController();
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;
  private readonly counters: HttpSinkStats = {
    eventsSent: 0,
    batchesSent: 0,
    requests: 0,
    retries: 0,
    failedBatches: 0,
  };

  constructor(options: HttpSinkOptions) {
    try {
      this.url = new URL(options.url);
    } catch {
      throw new OcsfConfigError(`HttpSink url is not a URL: ${String(options.url)}`);
    }
    if (this.url.protocol !== "http:" && this.url.protocol !== "https:") {
      throw new OcsfConfigError(`HttpSink url must be http(s): ${this.url.protocol}`);
    }
    this.headers = { ...options.headers, "content-type": "application/x-ndjson" };
    this.timeoutMs = positiveInt("timeoutMs", options.timeoutMs ?? 10_000, 1);
    this.maxRetries = positiveInt("maxRetries", options.maxRetries ?? 5, 0);
    this.initialBackoffMs = positiveInt("initialBackoffMs", options.initialBackoffMs ?? 500, 0);
    this.maxBackoffMs = positiveInt("maxBackoffMs", options.maxBackoffMs ?? 30_000, 0);
    this.maxBatchEvents = positiveInt("maxBatchEvents", options.maxBatchEvents ?? 500, 1);
    this.maxBatchBytes = positiveInt("maxBatchBytes", options.maxBatchBytes ?? 4 * 1024 * 1024, 1);
  }

  stats(): HttpSinkStats {
    return { ...this.counters };
  }

  write(lines: readonly string[]): Promise<void> {
    if (this.closed) return Promise.reject(new OcsfExporterClosedError(`HttpSink(${this.url.origin})`));
    // Writes are chained so batches of concurrent writes still leave in call order.
    const run = this.tail.then(() => this.sendAll(lines));
    this.tail = run.catch(() => {});
    return run;
  }

  async flush(): Promise<void> {
    await this.tail;
  }

  /** Waits for queued batches (bounded by timeouts and retries), then refuses further writes. */
  async close(): Promise<void> {
    this.closed = true;
    await this.tail;
  }

  /** Cancels in-flight requests and backoff waits now; their writes reject with OcsfSinkError. */
  abort(): void {
    this.closed = true;
    this.aborter.abort();
  }

  private async sendAll(lines: readonly string[]): Promise<void> {
    for (const batch of this.batches(lines)) {
      await this.sendBatch(batch);
    }
  }

  private *batches(lines: readonly string[]): Generator<string[]> {
    let batch: string[] = [];
    let bytes = 0;
    for (const line of lines) {
      const size = Buffer.byteLength(line) + 1;
      if (batch.length > 0 && (batch.length >= this.maxBatchEvents || bytes + size > this.maxBatchBytes)) {
        yield batch;
        batch = [];
        bytes = 0;
      }
      batch.push(line);
      bytes += size;
    }
    if (batch.length > 0) yield batch;
  }

  private async sendBatch(batch: string[]): Promise<void> {
    const body = `${batch.join("\n")}\n`;
    let last: Attempt = { ok: false, retry: false };
    let attempts = 0;
    for (let attempt = 0; attempt <= this.maxRetries; attempt++) {
      if (attempt > 0) {
        this.counters.retries++;
        const backoff = Math.min(this.maxBackoffMs, this.initialBackoffMs * 2 ** (attempt - 1));
        const jittered = backoff / 2 + Math.random() * (backoff / 2);
        const wait = last.ok ? 0 : Math.min(this.maxBackoffMs, last.retryAfterMs ?? jittered);
        await this.sleep(wait);
      }
      if (this.aborter.signal.aborted) break;
      attempts++;
      last = await this.post(body);
      if (last.ok) {
        this.counters.batchesSent++;
        this.counters.eventsSent += batch.length;
        return;
      }
      if (!last.retry) break;
    }
    this.counters.failedBatches++;
    const failed = last.ok ? undefined : last;
    const why =
      this.aborter.signal.aborted && failed?.status === undefined
        ? "sink closed"
        : failed?.status !== undefined
          ? `HTTP ${failed.status}`
          : "no response";
    throw new OcsfSinkError(`OCSF HTTP export to ${this.url.origin} failed: ${why}`, {
      attempts,
      ...(failed?.status !== undefined ? { status: failed.status } : {}),
      ...(failed?.cause !== undefined ? { cause: failed.cause } : {}),
    });
  }

  private post(body: string): Promise<Attempt> {
    this.counters.requests++;
    const signal = AbortSignal.any([this.aborter.signal, AbortSignal.timeout(this.timeoutMs)]);
    const suppressed = context.active().setValue(SUPPRESS_TRACING_KEY, true);
    return context.with(suppressed, async (): Promise<Attempt> => {
      try {
        const response = await fetch(this.url, {
          method: "POST",
          headers: this.headers,
          body,
          signal,
          redirect: "manual",
        });
        // Drain the body so the connection can be reused (or freed).
        await response.arrayBuffer().catch(() => undefined);
        if (response.status >= 200 && response.status < 300) return { ok: true };
        const retry = response.status === 429 || response.status >= 500;
        const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"), Date.now());
        return {
          ok: false,
          retry,
          status: response.status,
          ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
        };
      } catch (cause) {
        // Timeouts and network errors are retryable; an abort by close() is not.
        return { ok: false, retry: !this.aborter.signal.aborted, cause };
      }
    });
  }

  private sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.aborter.signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const signal = this.aborter.signal;
      function done() {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        resolve();
      }
      signal.addEventListener("abort", done, { once: true });
    });
  }
}
