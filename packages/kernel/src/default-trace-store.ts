// The default-trace-store hook: a process-wide TraceStore that every Kernel constructed without an
// explicit `traceStore` records into. It lets a set-up module (@weft/node) route all kernels'
// ActionTraces into a durable chain without the application passing it around, and keeps the
// kernel free of any OpenTelemetry or storage dependency. Held on globalThis under a registered
// symbol so duplicate copies of this module (two installed versions) share one slot.

import { InvalidArgumentError } from "./errors.js";
import type { TraceStore } from "./trace.js";

const SLOT = Symbol.for("weft.kernel.defaultTraceStore");
interface Slot {
  [SLOT]?: TraceStore;
}

function isTraceStore(value: unknown): value is TraceStore {
  const s = value as Partial<Record<keyof TraceStore, unknown>> | null;
  return (
    typeof s === "object" &&
    s !== null &&
    typeof s.record === "function" &&
    typeof s.get === "function" &&
    typeof s.listAll === "function" &&
    typeof s.query === "function"
  );
}

/**
 * Makes `store` the trace store of every Kernel constructed from now on without its own
 * `traceStore` option (kernels that already exist keep theirs). `undefined` removes it, so new
 * kernels get a private in-memory store again. Returns the previous default.
 */
export function setDefaultTraceStore(store: TraceStore | undefined): TraceStore | undefined {
  if (store !== undefined && !isTraceStore(store)) {
    throw new InvalidArgumentError(
      "setDefaultTraceStore needs a TraceStore (record, get, listAll, query) or undefined.",
    );
  }
  const slot = globalThis as Slot;
  const previous = slot[SLOT];
  if (store === undefined) delete slot[SLOT];
  else slot[SLOT] = store;
  return previous;
}

/** The store set by {@link setDefaultTraceStore}, if any. */
export function getDefaultTraceStore(): TraceStore | undefined {
  return (globalThis as Slot)[SLOT];
}
