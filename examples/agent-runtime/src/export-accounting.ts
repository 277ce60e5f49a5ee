// Counts what the OTLP exporter really delivered. The BatchSpanProcessor drops a batch after the
// exporter gives up (retries exhausted) and only says so in a diag log; wrapping the exporter
// makes "shipped" and "failed to ship" numbers the report can print and a test can check.
// Spans that failed to ship are still in the chained store: the mirror does not depend on it.

import { type ExportResult, ExportResultCode } from "@opentelemetry/core";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace";

export interface ExportAccount {
  /** Spans the exporter reported as delivered. */
  exported: number;
  /** Spans in batches the exporter gave up on. */
  failed: number;
  /** `traceId/spanId` of every span that failed, so a test can find them in the store. */
  failedSpanIds: string[];
  /** Stable description of the last failure (error name and code, never a payload). */
  lastError: string | null;
}

export class AccountingSpanExporter implements SpanExporter {
  readonly account: ExportAccount = { exported: 0, failed: 0, failedSpanIds: [], lastError: null };
  readonly #inner: SpanExporter;

  constructor(inner: SpanExporter) {
    this.#inner = inner;
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    this.#inner.export(spans, (result) => {
      if (result.code === ExportResultCode.SUCCESS) {
        this.account.exported += spans.length;
      } else {
        this.account.failed += spans.length;
        for (const span of spans) {
          const { traceId, spanId } = span.spanContext();
          this.account.failedSpanIds.push(`${traceId}/${spanId}`);
        }
        const error = result.error as (Error & { code?: unknown }) | undefined;
        this.account.lastError = error
          ? `${error.name}${error.code ? ` ${String(error.code)}` : ""}`
          : "unknown";
      }
      resultCallback(result);
    });
  }

  shutdown(): Promise<void> {
    return this.#inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.#inner.forceFlush ? this.#inner.forceFlush() : Promise.resolve();
  }
}
