// In-memory backend, bounded: past `maxRecords` the oldest record of a chain is dropped and its
// hash becomes the chain's checkpoint, so what is held always verifies (like a pruned SQLite store).

import { GENESIS_HASH, type RecordHasher } from "../chain.js";
import { DuplicateActionIdError } from "../errors.js";
import type {
  ActionColumns,
  ActionLog,
  DecisionColumns,
  DecisionLog,
  Linked,
  LogEntry,
  RawRow,
  RecordLog,
  SpanLog,
} from "../log.js";
import type { SpanColumns } from "../span-codec.js";
import type { ChainStart } from "../start.js";

class MemoryLog<C> implements RecordLog<C> {
  protected readonly items: Array<{ row: RawRow; columns: C }> = [];
  protected oldest = 0; // index of the oldest live item (amortized O(1) eviction)
  #genesis = GENESIS_HASH;
  #nextSeq = 0;
  evicted = 0;

  constructor(protected readonly maxRecords: number) {}

  protected onAdd(_c: C): void {}
  protected onRemove(_c: C): void {}

  append(entries: LogEntry<C>[], hasher: RecordHasher): Linked[] {
    const out: Linked[] = [];
    let prevHash = this.head()?.recordHash ?? this.#genesis;
    for (const entry of entries) {
      const seq = this.#nextSeq++;
      const recordHash = hasher.hashCanonical(seq, prevHash, entry.text);
      this.items.push({ row: { seq, prevHash, recordHash, text: entry.text }, columns: entry.columns });
      this.onAdd(entry.columns);
      out.push({ seq, prevHash, recordHash });
      prevHash = recordHash;
    }
    while (this.items.length - this.oldest > this.maxRecords) this.dropOldest();
    return out;
  }

  protected dropOldest(): void {
    const item = this.items[this.oldest]!;
    this.#genesis = item.row.recordHash;
    this.onRemove(item.columns);
    this.oldest++;
    this.evicted++;
    if (this.oldest > 1024 && this.oldest * 2 > this.items.length) {
      this.items.splice(0, this.oldest);
      this.oldest = 0;
    }
  }

  *rows(): IterableIterator<RawRow> {
    for (let i = this.oldest; i < this.items.length; i++) yield this.items[i]!.row;
  }

  count(): number {
    return this.items.length - this.oldest;
  }

  head(): { seq: number; recordHash: string } | null {
    const last = this.items[this.items.length - 1];
    if (last && this.count() > 0) return { seq: last.row.seq, recordHash: last.row.recordHash };
    return this.#nextSeq === 0 ? null : { seq: this.#nextSeq - 1, recordHash: this.#genesis };
  }

  bySeq(seq: number): RawRow | undefined {
    const first = this.items[this.oldest];
    if (!first) return undefined;
    return this.items[this.oldest + (seq - first.row.seq)]?.row;
  }

  genesis(): string {
    return this.#genesis;
  }

  start(): ChainStart {
    // Held in this process only: nothing outside it can have moved the start.
    const first = this.items[this.oldest];
    return { prevHash: this.#genesis, nextSeq: first ? first.row.seq : this.#nextSeq, kind: "trusted" };
  }

  snapshot<T>(fn: () => T): T {
    return fn();
  }
}

export class MemoryActionLog extends MemoryLog<ActionColumns> implements ActionLog {
  readonly #byId = new Map<string, RawRow>();

  override append(entries: LogEntry<ActionColumns>[], hasher: RecordHasher): Linked[] {
    const seen = new Set<string>();
    for (const e of entries) {
      if (this.#byId.has(e.columns.actionId) || seen.has(e.columns.actionId)) {
        throw new DuplicateActionIdError(e.columns.actionId);
      }
      seen.add(e.columns.actionId);
    }
    const out = super.append(entries, hasher);
    return out;
  }

  protected override onAdd(c: ActionColumns): void {
    const last = this.items[this.items.length - 1]!;
    this.#byId.set(c.actionId, last.row);
  }

  protected override onRemove(c: ActionColumns): void {
    this.#byId.delete(c.actionId);
  }

  byActionId(actionId: string): RawRow | undefined {
    return this.#byId.get(actionId);
  }

  prune(cutoffIso: string): number {
    let n = 0;
    while (this.count() > 0 && this.items[this.oldest]!.columns.invokedAt < cutoffIso) {
      this.dropOldest();
      this.evicted--; // pruned on request, not evicted by the bound
      n++;
    }
    return n;
  }
}

export class MemorySpanLog extends MemoryLog<SpanColumns> implements SpanLog {}

export class MemoryDecisionLog extends MemoryLog<DecisionColumns> implements DecisionLog {}
