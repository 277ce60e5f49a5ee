// ChainedSpanProcessor: mirrors every ended span into a hash-chained store. onEnd only queues a
// reference (an ended span is immutable); a writer normalizes, redacts and appends batches later.
// When the bounded queue is full, onEnd writes a batch itself instead of dropping (backpressure).

import { setTimeout as sleep } from "node:timers/promises";
import type { Context, MeterProvider } from "@opentelemetry/api";
import { diag } from "@opentelemetry/api";
import type { ChainedStore, SpanChain, SpanRecordV1, StoreOptions } from "@weft/chained-store";
import { openStore, validateSpanRecord } from "@weft/chained-store";
import { SpanMirrorConfigError, SpanMirrorFlushError } from "./errors.js";
import { type DropReason, MirrorMetrics } from "./metrics.js";
import { type NormalizedResource, toSpanRecord } from "./normalize.js";
import { createRedactor, type RedactionOptions, type Redactor } from "./redaction.js";
import { RetryBackoff } from "./retry.js";
import type { ReadableSpanLike, ResourceLike, SpanProcessorLike } from "./span-like.js";

export interface ChainedSpanProcessorOptions {
  /** Store file to open (SQLite unless it ends in `.jsonl`); the processor owns and closes it. */
  path?: string;
  /** An already-open store; the caller keeps ownership (shutdown does not close it). */
  store?: ChainedStore;
  /** Passed to `openStore` with `path` (secret, synchronous, busyTimeoutMs, format). */
  storeOptions?: Omit<StoreOptions, "path" | "readonly">;
  /** Chain to append to. Default `"spans"`. */
  chain?: string;
  /** Spans per append transaction. Default 512. */
  maxBatchSize?: number;
  /** Bound on queued spans; at this depth onEnd writes a batch synchronously. Default 4096. */
  maxQueueSize?: number;
  /** How often a partial batch is written. Default 1000 ms. */
  flushIntervalMs?: number;
  /** How long forceFlush retries a failing store before rejecting. Default 30000 ms. */
  flushTimeoutMs?: number;
  /** Upper bound of the retry backoff after a failed append. Default 5000 ms. */
  retryMaxDelayMs?: number;
  /** Mirror only spans for which this returns true. Default: all spans. */
  filter?: (span: ReadableSpanLike) => boolean;
  /** Redaction rules, or `false` to store values verbatim. Default: built-in rules. */
  redaction?: RedactionOptions | false;
  /** Meter provider for self-metrics. Default: the global one. */
  meterProvider?: MeterProvider;
  /** Write what is still queued when the process exits normally. Default true. */
  flushOnExit?: boolean;
}

export interface ChainedSpanProcessorStats {
  /** Spans accepted by onEnd (after the filter). */
  enqueued: number;
  /** Spans durably appended. */
  written: number;
  /** Spans waiting (queued or in a batch awaiting retry). */
  queued: number;
  /** Batches written synchronously in onEnd (backpressure). */
  syncFlushes: number;
  /** Failed appends. */
  writeErrors: number;
  /** Spans lost: store failing while the queue was full, invalid spans, or unwritten at shutdown. */
  dropped: number;
  /** Spans still unwritten when shutdown finished (0 on a clean shutdown). */
  unwrittenAtShutdown: number;
}

/** Chain spans are mirrored into unless `chain` says otherwise. */
export const DEFAULT_CHAIN = "spans";

const DEFAULTS = {
  chain: DEFAULT_CHAIN,
  maxBatchSize: 512,
  maxQueueSize: 4096,
  flushIntervalMs: 1000,
  flushTimeoutMs: 30_000,
  retryMaxDelayMs: 5000,
};

export class ChainedSpanProcessor implements SpanProcessorLike {
  /** The chain spans are mirrored into, for forensic queries (`query`, `trace`, `verify`). */
  readonly chain: SpanChain;
  /** The store in use (opened from `path`, or the one passed in). */
  readonly store: ChainedStore;

  readonly #ownsStore: boolean;
  readonly #maxBatch: number;
  readonly #maxQueue: number;
  readonly #intervalMs: number;
  readonly #flushTimeoutMs: number;
  readonly #retry: RetryBackoff;
  readonly #filter: ((span: ReadableSpanLike) => boolean) | undefined;
  readonly #redactor: Redactor;
  readonly #resources = new WeakMap<ResourceLike, NormalizedResource>();
  readonly #metrics: MirrorMetrics;

  // Spans not yet normalized, oldest first; `#batch` holds the normalized batch being retried.
  #queue: ReadableSpanLike[] = [];
  #batch: SpanRecordV1[] | null = null;

  #enqueued = 0;
  #settled = 0; // spans taken off the queue for good (written, or invalid and dropped), in order
  #written = 0;
  #syncFlushes = 0;
  #writeErrors = 0;
  #dropped = 0;
  #unwrittenAtShutdown = 0;

  #lastFlushAt = performance.now();
  #timer: NodeJS.Timeout | undefined;
  #drainScheduled = false;
  #drainAll = false;
  #closed = false;
  #shutdownPromise: Promise<void> | undefined;
  readonly #onExit: (() => void) | undefined;

  constructor(options: ChainedSpanProcessorOptions) {
    if ((options.path === undefined) === (options.store === undefined)) {
      throw new SpanMirrorConfigError("ChainedSpanProcessor needs exactly one of `path` or `store`");
    }
    this.#maxBatch = positiveInt("maxBatchSize", options.maxBatchSize ?? DEFAULTS.maxBatchSize);
    this.#maxQueue = positiveInt("maxQueueSize", options.maxQueueSize ?? DEFAULTS.maxQueueSize);
    if (this.#maxQueue < this.#maxBatch) {
      throw new SpanMirrorConfigError(
        `maxQueueSize (${this.#maxQueue}) must be at least maxBatchSize (${this.#maxBatch})`,
      );
    }
    this.#intervalMs = positiveInt("flushIntervalMs", options.flushIntervalMs ?? DEFAULTS.flushIntervalMs);
    this.#flushTimeoutMs = positiveInt("flushTimeoutMs", options.flushTimeoutMs ?? DEFAULTS.flushTimeoutMs);
    this.#retry = new RetryBackoff(
      positiveInt("retryMaxDelayMs", options.retryMaxDelayMs ?? DEFAULTS.retryMaxDelayMs),
    );
    this.#filter = options.filter;
    this.#redactor = createRedactor(options.redaction);

    const chainName = options.chain ?? DEFAULTS.chain;
    if (chainName !== "spans") {
      throw new SpanMirrorConfigError(`unknown span chain "${chainName}" (the store offers "spans")`);
    }
    if (options.store !== undefined) {
      this.store = options.store;
      this.#ownsStore = false;
    } else {
      this.store = openStore({ ...options.storeOptions, path: options.path });
      this.#ownsStore = true;
    }
    this.chain = this.store.spans;

    this.#metrics = new MirrorMetrics(
      chainName,
      {
        queueDepth: () => this.#depth(),
        lastFlushAgeSeconds: () => (performance.now() - this.#lastFlushAt) / 1000,
      },
      options.meterProvider,
    );

    this.#armTimer();
    if (options.flushOnExit !== false) {
      // better-sqlite3 is synchronous, so an 'exit' listener can still make the queue durable.
      this.#onExit = () => this.#finalDrain();
      process.once("exit", this.#onExit);
    }
  }

  onStart(_span: unknown, _parentContext: Context): void {}

  onEnd(span: ReadableSpanLike): void {
    if (this.#closed) {
      this.#drop(1, "shutdown");
      return;
    }
    if (this.#filter !== undefined && !this.#accepts(span)) return;
    if (this.#depth() >= this.#maxQueue) {
      // Backpressure: the caller pays for one batch rather than losing a span. Skipped while a
      // failing store is backing off, since retrying on every span would only burn the caller's time.
      if (this.#retry.ready()) {
        this.#syncFlushes++;
        this.#metrics.syncFlush();
        this.#writeBatch();
      }
      if (this.#depth() >= this.#maxQueue) {
        this.#drop(1, "queue_full");
        return;
      }
    }
    this.#queue.push(span);
    this.#enqueued++;
    if (this.#queue.length >= this.#maxBatch) this.#scheduleDrain();
  }

  /** Resolves once every span ended before the call is durable; rejects with SpanMirrorFlushError on timeout. */
  async forceFlush(): Promise<void> {
    if (this.#closed) {
      if (this.#unwrittenAtShutdown > 0) throw new SpanMirrorFlushError(this.#unwrittenAtShutdown);
      return;
    }
    const target = this.#enqueued;
    const deadline = performance.now() + this.#flushTimeoutMs;
    while (this.#settled < target) {
      const wait = this.#retry.waitMs();
      if (wait > 0) {
        if (this.#closed || performance.now() + wait > deadline) {
          throw new SpanMirrorFlushError(target - this.#settled);
        }
        await sleep(wait);
        continue;
      }
      await this.#resourcesSettled();
      if (!this.#writeBatch()) continue; // failure set the backoff; loop decides whether to wait or give up
      // Yield between batches so a large flush does not stall the event loop in one piece.
      if (this.#settled < target) await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /** Drains the queue, reports anything unwritten, closes an owned store. Idempotent. */
  shutdown(): Promise<void> {
    this.#shutdownPromise ??= this.#shutdown();
    return this.#shutdownPromise;
  }

  /** Counters for tests, health checks and the shutdown report. */
  stats(): ChainedSpanProcessorStats {
    return {
      enqueued: this.#enqueued,
      written: this.#written,
      queued: this.#depth(),
      syncFlushes: this.#syncFlushes,
      writeErrors: this.#writeErrors,
      dropped: this.#dropped,
      unwrittenAtShutdown: this.#unwrittenAtShutdown,
    };
  }

  async #shutdown(): Promise<void> {
    // One more retry round for a store that is failing right now, bounded by the flush timeout.
    try {
      await this.forceFlush();
    } catch {
      // Reported below with the exact count.
    }
    this.#closed = true;
    if (this.#onExit !== undefined) process.removeListener("exit", this.#onExit);
    this.#finalDrain();
    this.#metrics.close();
  }

  /** Synchronous last attempt (shutdown and process exit): write what can be written, report the rest, close. */
  #finalDrain(): void {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#retry.allowNow();
    while (this.#depth() > 0 && this.#writeBatch()) {}
    const unwritten = this.#depth();
    if (unwritten > 0) {
      this.#unwrittenAtShutdown = unwritten;
      this.#drop(unwritten, "shutdown");
      this.#settled += unwritten;
      this.#queue = [];
      this.#batch = null;
      diag.error(`ChainedSpanProcessor: ${unwritten} span(s) could not be written to the store and are lost`);
    }
    if (this.#ownsStore) {
      try {
        this.store.close();
      } catch (err) {
        diag.error(`ChainedSpanProcessor: closing the store failed: ${describe(err)}`);
      }
    }
  }

  /** Appends one batch (the one being retried, else the oldest queued spans). False on store failure. */
  #writeBatch(): boolean {
    let batch = this.#batch;
    if (batch === null) {
      if (this.#queue.length === 0) return true;
      const spans =
        this.#queue.length <= this.#maxBatch ? this.#queue : this.#queue.splice(0, this.#maxBatch);
      if (spans === this.#queue) this.#queue = [];
      batch = this.#normalize(spans);
      this.#batch = batch;
    }
    try {
      if (batch.length > 0) this.chain.appendBatch(batch);
    } catch (err) {
      // A record the store refuses as such (not an I/O failure) would fail every retry and hold
      // back every span behind it: set the refused records aside and go on with the others.
      if (isRecordError(err) && this.#setAsideUnstorable(batch)) return true;
      this.#writeErrors++;
      this.#metrics.writeError();
      const delayMs = this.#retry.failed();
      diag.error(
        `ChainedSpanProcessor: appending ${batch.length} span(s) failed, retrying in ${delayMs} ms: ${describe(err)}`,
      );
      this.#armTimer(delayMs);
      return false;
    }
    this.#batch = null;
    this.#settled += batch.length;
    this.#written += batch.length;
    this.#retry.succeeded();
    this.#lastFlushAt = performance.now();
    this.#metrics.written(batch.length);
    return true;
  }

  #normalize(spans: readonly ReadableSpanLike[]): SpanRecordV1[] {
    const records: SpanRecordV1[] = [];
    for (const span of spans) {
      let record: SpanRecordV1;
      try {
        record = toSpanRecord(span, this.#redactor, this.#resources);
      } catch (err) {
        // Only a span object that breaks the SDK contract gets here; keep the rest of the batch.
        this.#settled++;
        this.#drop(1, "invalid_span");
        diag.error(`ChainedSpanProcessor: span could not be normalized: ${describe(err)}`);
        continue;
      }
      // Each record is checked before its batch (structure, ids, time range: no serialization),
      // so one the store cannot hold never joins one; anything else the store refuses is
      // isolated after the fact by #setAsideUnstorable.
      if (this.#storable(record, validateSpanRecord)) records.push(record);
    }
    return records;
  }

  /** Validates one record against the store; an unstorable one is set aside, counted and reported. */
  #storable(record: SpanRecordV1, check: (r: SpanRecordV1) => void = (r) => this.chain.validate(r)): boolean {
    try {
      check(record);
      return true;
    } catch (err) {
      this.#settled++;
      this.#drop(1, "unstorable");
      diag.error(
        `ChainedSpanProcessor: span ${record.trace_id}/${record.span_id} (${record.name}) cannot be stored and is set aside: ${describe(err)}`,
      );
      return false;
    }
  }

  /**
   * After the store refused a batch for its content: keeps the records that validate, in order,
   * as the batch to write next. False when every record validates (the refusal was something
   * else), so the caller backs off as for any store failure.
   */
  #setAsideUnstorable(batch: SpanRecordV1[]): boolean {
    const kept = batch.filter((r) => this.#storable(r));
    if (kept.length === batch.length) return false;
    this.#batch = kept;
    this.#scheduleDrain();
    return true;
  }

  /** The first resource of the next batch whose async attributes are still pending, if any. */
  #pendingResource(): ResourceLike | undefined {
    if (this.#batch !== null) return undefined;
    const n = Math.min(this.#queue.length, this.#maxBatch);
    for (let i = 0; i < n; i++) {
      const resource = this.#queue[i]!.resource;
      if (resource.asyncAttributesPending === true && resource.waitForAsyncAttributes !== undefined)
        return resource;
    }
    return undefined;
  }

  async #resourcesSettled(first = this.#pendingResource()): Promise<void> {
    let resource = first;
    while (resource !== undefined) {
      try {
        await resource.waitForAsyncAttributes!();
      } catch (err) {
        diag.error(`ChainedSpanProcessor: waiting for resource attributes failed: ${describe(err)}`);
        return;
      }
      const next = this.#pendingResource();
      if (next === resource) return; // still flagged pending after settling: do not spin
      resource = next;
    }
  }

  #accepts(span: ReadableSpanLike): boolean {
    try {
      return this.#filter!(span);
    } catch (err) {
      // A throwing filter must not cost the audit trail a span: mirror it.
      diag.error(`ChainedSpanProcessor: span filter threw, mirroring the span: ${describe(err)}`);
      return true;
    }
  }

  #depth(): number {
    return this.#queue.length + (this.#batch?.length ?? 0);
  }

  #drop(n: number, reason: DropReason): void {
    this.#dropped += n;
    this.#metrics.dropped(n, reason);
  }

  #scheduleDrain(): void {
    if (this.#drainScheduled || this.#closed) return;
    this.#drainScheduled = true;
    setImmediate(() => this.#drainTick()).unref();
  }

  // One batch per event-loop turn. Full batches are written as soon as they exist; a partial
  // batch waits for the interval timer, which sets #drainAll to empty the queue completely.
  #drainTick(): void {
    this.#drainScheduled = false;
    if (this.#closed || !this.#retry.ready()) return;
    const pending = this.#pendingResource();
    if (pending !== undefined) {
      // Like the SDK's batch processor: hold the batch until async resource detectors finish, so
      // the mirrored resource equals what exporters send. Only the synchronous paths (backpressure,
      // process exit) may write a resource that is still incomplete.
      this.#drainScheduled = true;
      void this.#resourcesSettled(pending).then(() => this.#drainTick());
      return;
    }
    if (!this.#writeBatch()) return;
    const more = this.#queue.length >= this.#maxBatch || this.#batch !== null;
    if (more || (this.#drainAll && this.#depth() > 0)) this.#scheduleDrain();
    else this.#drainAll = false;
  }

  #armTimer(delayMs: number = this.#intervalMs): void {
    if (this.#closed) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#drainAll = true;
      this.#drainTick();
      if (this.#timer === undefined) this.#armTimer();
    }, delayMs).unref();
  }
}

function positiveInt(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new SpanMirrorConfigError(`${name} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

/** Store errors about a record's content (retrying the same record cannot succeed). */
function isRecordError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === "INVALID_ARGUMENT" || code === "JSON_SYNTAX";
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return typeof code === "string" ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}
