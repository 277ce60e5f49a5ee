// Where OCSF events go. A sink receives serialized events (one JSON text per event, no newline)
// in order, and owns whatever resource it writes to.

export interface OcsfSink {
  /** Delivers the events in order; rejects with an OcsfSinkError when they could not be delivered. */
  write(lines: readonly string[]): Promise<void>;
  /** Makes everything written so far durable / delivered (fsync for files). */
  flush(): Promise<void>;
  /** Flushes, then releases the resource. Idempotent. */
  close(): Promise<void>;
  /** Optional: cancel in-flight I/O at once (used when shutdown runs out of time). */
  abort?(): void;
}

/** One event, one JSON text: the only place Weft serializes an OCSF event. */
export function serializeEvent(event: object): string {
  return JSON.stringify(event);
}
