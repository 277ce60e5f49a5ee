// OcsfSpanExporter: an OpenTelemetry SpanExporter that maps kernel spans to OCSF 1.8.0 API
// Activity and hands them to a sink. Structurally typed (no SDK import), so the same class
// plugs into SDK 3 (`@opentelemetry/sdk-trace`) and SDK 2 (`@opentelemetry/sdk-trace-base`).
import { OcsfExporterClosedError, OcsfSinkError } from "./errors.js";
import { type OcsfSink, serializeEvent } from "./sinks/sink.js";
import { type OcsfReadableSpan, type SpanOcsfOptions, spanToOcsf } from "./span.js";

/** `ExportResultCode` of @opentelemetry/core (SUCCESS = 0, FAILED = 1), same numbers in SDK 2 and 3. */
export const ExportResultCode = { SUCCESS: 0, FAILED: 1 } as const;

export interface OcsfExportResult {
  code: 0 | 1;
  error?: Error;
}

export interface OcsfSpanExporterOptions extends SpanOcsfOptions {
  sink: OcsfSink;
  /** Upper bound on shutdown: after it, in-flight sink I/O is aborted (default 30 000 ms). */
  shutdownTimeoutMs?: number;
}

export interface OcsfSpanExporterStats {
  spansSeen: number;
  spansSkipped: number;
  eventsExported: number;
  exportsFailed: number;
}

export class OcsfSpanExporter {
  private readonly sink: OcsfSink;
  private readonly mapping: SpanOcsfOptions;
  private readonly shutdownTimeoutMs: number;
  private tail: Promise<void> = Promise.resolve();
  private shutdownPromise: Promise<void> | undefined;
  private readonly counters: OcsfSpanExporterStats = {
    spansSeen: 0,
    spansSkipped: 0,
    eventsExported: 0,
    exportsFailed: 0,
  };

  constructor(options: OcsfSpanExporterOptions) {
    const { sink, shutdownTimeoutMs = 30_000, ...mapping } = options;
    this.sink = sink;
    this.mapping = mapping;
    this.shutdownTimeoutMs = shutdownTimeoutMs;
  }

  stats(): OcsfSpanExporterStats {
    return { ...this.counters };
  }

  export(spans: readonly OcsfReadableSpan[], resultCallback: (result: OcsfExportResult) => void): void {
    if (this.shutdownPromise !== undefined) {
      resultCallback({
        code: ExportResultCode.FAILED,
        error: new OcsfExporterClosedError("OcsfSpanExporter"),
      });
      return;
    }
    const lines: string[] = [];
    try {
      for (const span of spans) {
        this.counters.spansSeen++;
        const event = spanToOcsf(span, this.mapping);
        if (event === undefined) this.counters.spansSkipped++;
        else lines.push(serializeEvent(event));
      }
    } catch (error) {
      this.counters.exportsFailed++;
      resultCallback({ code: ExportResultCode.FAILED, error: error as Error });
      return;
    }
    if (lines.length === 0) {
      resultCallback({ code: ExportResultCode.SUCCESS });
      return;
    }
    // Exports are chained so events reach the sink in export order even if calls overlap.
    const run = this.tail.then(() => this.sink.write(lines));
    this.tail = run.then(
      () => {
        this.counters.eventsExported += lines.length;
        resultCallback({ code: ExportResultCode.SUCCESS });
      },
      (error: unknown) => {
        this.counters.exportsFailed++;
        const failure =
          error instanceof Error ? error : new OcsfSinkError("OCSF sink failed", { cause: error });
        resultCallback({ code: ExportResultCode.FAILED, error: failure });
      },
    );
  }

  /** Waits for pending exports, then flushes the sink (fsync for files). */
  async forceFlush(): Promise<void> {
    await this.tail;
    await this.sink.flush();
  }

  /** Flushes and closes the sink; bounded by `shutdownTimeoutMs`, after which sink I/O is aborted. */
  shutdown(): Promise<void> {
    this.shutdownPromise ??= this.shutdownOnce();
    return this.shutdownPromise;
  }

  private async shutdownOnce(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), this.shutdownTimeoutMs);
      timer.unref();
    });
    const drained = this.tail
      .then(() => this.sink.close())
      .then(
        () => "done" as const,
        () => "done" as const,
      );
    const outcome = await Promise.race([drained, deadline]);
    clearTimeout(timer);
    if (outcome === "timeout") {
      this.sink.abort?.();
      await drained;
    }
  }
}
