// The TraceStore @weft/node gives kernels: the audit store's actions chain, guarded so a failing
// store (disk full, closed at shutdown, locked) never throws into the application's tool call.
// A trace the chain refuses is kept in memory instead, counted, and reported once per error code.

import {
  type ActionTrace,
  InMemoryTraceStore,
  queryTraces,
  type TraceQuery,
  type TraceStore,
} from "@weft/kernel";
import { describe } from "./report.js";

export class GuardedTraceStore implements TraceStore {
  readonly #chain: TraceStore;
  readonly #fallback = new InMemoryTraceStore();
  readonly #reported = new Set<string>();
  readonly #onFailure: (code: string | undefined, text: string, first: boolean) => void;
  /** Traces the chain failed to record (held in memory instead). */
  writeErrors = 0;

  constructor(
    chain: TraceStore,
    onFailure: (code: string | undefined, text: string, first: boolean) => void,
  ) {
    this.#chain = chain;
    this.#onFailure = onFailure;
  }

  record(trace: ActionTrace): void {
    try {
      this.#chain.record(trace);
    } catch (err) {
      this.writeErrors++;
      const { code, text } = describe(err);
      const key = code ?? "UNEXPECTED";
      const first = !this.#reported.has(key);
      this.#reported.add(key);
      this.#onFailure(code, text, first);
      this.#fallback.record(trace);
    }
  }

  get(actionId: string): ActionTrace | undefined {
    return this.#read(() => this.#chain.get(actionId)) ?? this.#fallback.get(actionId);
  }

  listAll(): ActionTrace[] {
    return [...(this.#read(() => this.#chain.listAll()) ?? []), ...this.#fallback.listAll()];
  }

  query(query: TraceQuery): ActionTrace[] {
    if (this.#fallback.size() === 0) return this.#read(() => this.#chain.query(query)) ?? [];
    return queryTraces(this.listAll(), query);
  }

  size(): number {
    const chain = this.#read(() => (typeof this.#chain.size === "function" ? this.#chain.size() : undefined));
    return (chain ?? 0) + this.#fallback.size();
  }

  // Reads after the store closed (a kernel outliving shutdown) see only what memory holds.
  #read<T>(fn: () => T): T | undefined {
    try {
      return fn();
    } catch {
      return undefined;
    }
  }
}
