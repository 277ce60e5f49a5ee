// Structural mirrors of the OpenTelemetry SDK types the processor touches. Declaring them here
// (instead of importing `@opentelemetry/sdk-trace`) lets one build serve SDK 3.x and SDK 2.x:
// both hand processors objects of this shape, and neither SDK becomes a run-time dependency.

import type { Attributes, Context, HrTime, SpanContext, SpanKind, SpanStatus } from "@opentelemetry/api";

export interface TimedEventLike {
  readonly time: HrTime;
  readonly name: string;
  readonly attributes?: Attributes;
  readonly droppedAttributesCount?: number;
}

export interface LinkLike {
  readonly context: SpanContext;
  readonly attributes?: Attributes;
  readonly droppedAttributesCount?: number;
}

export interface ResourceLike {
  readonly attributes: Attributes;
  readonly schemaUrl?: string;
  /** True while async resource detectors are still running; attributes are then incomplete. */
  readonly asyncAttributesPending?: boolean;
  /** Settles once async detectors finish (never rejects in the SDK). */
  waitForAsyncAttributes?(): Promise<void>;
}

export interface InstrumentationScopeLike {
  readonly name: string;
  readonly version?: string;
  readonly schemaUrl?: string;
}

/** The subset of the SDK's `ReadableSpan` (SDK 2.x and 3.x) that the mirror reads. */
export interface ReadableSpanLike {
  readonly name: string;
  readonly kind: SpanKind;
  readonly spanContext: () => SpanContext;
  readonly parentSpanContext?: SpanContext;
  readonly startTime: HrTime;
  readonly endTime: HrTime;
  readonly duration: HrTime;
  readonly status: SpanStatus;
  readonly attributes: Attributes;
  readonly links: readonly LinkLike[];
  readonly events: readonly TimedEventLike[];
  readonly resource: ResourceLike;
  readonly instrumentationScope: InstrumentationScopeLike;
  readonly droppedAttributesCount: number;
  readonly droppedEventsCount: number;
  readonly droppedLinksCount: number;
}

/** The SDK's `SpanProcessor` contract, structurally (the started span is not read). */
export interface SpanProcessorLike {
  onStart(span: unknown, parentContext: Context): void;
  onEnd(span: ReadableSpanLike): void;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}
