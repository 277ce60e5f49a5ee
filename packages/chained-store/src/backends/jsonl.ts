// JSONL backend in the reference's line format: one `{"seq", "prev_hash", "record_hash",
// "trace"}` object per line, append-only, chain resumed on open. A crash can leave a torn last
// line; it is reported (StoreTornTailError), never dropped or kept silently — `repairJsonlStore`
// moves it aside. Single writer per file (like the reference); a writer that finds the file grown
// by someone else re-reads the new tail before appending.

import {
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  statSync,
  writeSync,
} from "node:fs";
import { canonicalize } from "../canonical.js";
import { ChainVerifier, GENESIS_HASH, type RecordHasher } from "../chain.js";
import {
  DuplicateActionIdError,
  InvalidArgumentError,
  NotAStoreError,
  StoreCorruptError,
  StoreIoError,
  StoreReplacedError,
  StoreTornTailError,
  UnsupportedOperationError,
  WrongSecretError,
} from "../errors.js";
import { parseJsonLossless } from "../json-lossless.js";
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
import { type ChainStart, GENESIS_START } from "../start.js";
import type { JsonValue } from "../types.js";
import { MAX_LINE_BYTES, readLines } from "./jsonl-lines.js";

/** The reference's own layout (json.dumps defaults, this key order): lets rows skip a full parse. */
const LINE =
  /^\{"seq": (\d+), "prev_hash": "([0-9a-f]{64})", "record_hash": "([0-9a-f]{64})", "trace": ([\s\S]*)\}$/;

export interface JsonlEnvelope {
  seq: number;
  prevHash: string;
  recordHash: string;
  trace: Record<string, unknown>;
}

/** Parses one stored line's envelope; `null` when it is not a record. */
export function parseEnvelope(text: string): JsonlEnvelope | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof v !== "object" || v === null) return null;
  const o = v as Record<string, unknown>;
  if (
    !Number.isSafeInteger(o["seq"]) ||
    typeof o["prev_hash"] !== "string" ||
    typeof o["record_hash"] !== "string"
  )
    return null;
  if (typeof o["trace"] !== "object" || o["trace"] === null || Array.isArray(o["trace"])) return null;
  return {
    seq: o["seq"] as number,
    prevHash: o["prev_hash"],
    recordHash: o["record_hash"],
    trace: o["trace"] as Record<string, unknown>,
  };
}

function payloadOf(text: string): JsonValue {
  const v = parseJsonLossless(text) as { [k: string]: JsonValue };
  return v["trace"] as JsonValue;
}

function toRaw(text: string, line: number, path: string): RawRow {
  const m = LINE.exec(text);
  if (m) {
    return {
      seq: Number(m[1]),
      prevHash: m[2]!,
      recordHash: m[3]!,
      text: m[4]!,
      reparse: () => payloadOf(text),
    };
  }
  // Any other layout (hand-reformatted lines): read it fully and keep the canonical payload.
  const env = parseEnvelope(text);
  if (env === null) throw new StoreCorruptError(path, { line }, "not a trace record");
  return {
    seq: env.seq,
    prevHash: env.prevHash,
    recordHash: env.recordHash,
    text: canonicalize(payloadOf(text)),
  };
}

export function spansPathFor(path: string): string {
  return path.endsWith(".jsonl") ? `${path.slice(0, -".jsonl".length)}.spans.jsonl` : `${path}.spans.jsonl`;
}

/** The decisions file next to a JSONL store: `audit.jsonl` → `audit.decisions.jsonl`. */
export function decisionsPathFor(path: string): string {
  return path.endsWith(".jsonl")
    ? `${path.slice(0, -".jsonl".length)}.decisions.jsonl`
    : `${path}.decisions.jsonl`;
}

class JsonlLog<C> implements RecordLog<C> {
  #fd: number | null = null;
  #size = 0;
  #lines = 0;
  #count = 0;
  #head: { seq: number; recordHash: string } | null = null;
  #lastText: string | null = null;

  constructor(
    readonly path: string,
    readonly label: string,
    /** `spansOnly`: the actions file may be absent (a store the span mirror alone wrote). */
    private readonly opts: { readonly: boolean; synchronous: "FULL" | "NORMAL"; spansOnly?: boolean },
  ) {}

  /** Reads the existing file (if any) to resume the chain; call once after construction. */
  load(): this {
    if (existsSync(this.path)) this.#scan(0);
    else if (this.opts.readonly && this.label === "actions" && !this.opts.spansOnly)
      throw new NotAStoreError(this.path, "the file does not exist");
    return this;
  }

  protected onRecord(_env: JsonlEnvelope, _line: number): void {}

  /** Reads lines from `from` to the end, resuming count/head; validates every line. */
  #scan(from: number): void {
    for (const l of readLines(this.path, from, this.#lines + 1)) {
      if (!l.complete) throw new StoreTornTailError(this.path, l.line, l.offset);
      this.#lines = l.line;
      this.#size = l.offset + l.bytes + 1;
      if (l.text.trim() === "") continue;
      const env = parseEnvelope(l.text);
      if (env === null) {
        if (this.#count === 0 && l.line === 1)
          throw new NotAStoreError(this.path, "its first line is not a trace record");
        throw new StoreCorruptError(this.path, { line: l.line }, "not a valid trace record");
      }
      this.onRecord(env, l.line);
      this.#count++;
      this.#head = { seq: env.seq, recordHash: env.recordHash };
      this.#lastText = l.text;
    }
  }

  /** Refuses to append with a secret that does not reproduce the newest record's hash. */
  checkSecret(hasher: RecordHasher): void {
    if (this.opts.readonly || this.#lastText === null) return;
    const row = toRaw(this.#lastText, this.#lines, this.path);
    const v = new ChainVerifier(hasher, row.prevHash);
    const payload = row.reparse ? { text: row.text, reparse: row.reparse } : { text: row.text };
    if (!v.step(row.seq, row.prevHash, row.recordHash, payload)) {
      throw new WrongSecretError(this.path, `the newest ${this.label} record's hash does not match`);
    }
  }

  #open(): number {
    if (this.#fd === null) {
      try {
        this.#fd = openSync(this.path, "a");
      } catch (cause) {
        throw new StoreIoError(this.path, "open for append", { cause });
      }
    }
    return this.#fd;
  }

  /**
   * The file this writer holds must still be the one at its path: if it was deleted (link count
   * 0) or replaced (another inode at the path), an append would be acknowledged into a file
   * nobody will read. Checked before every append.
   */
  #checkSameFile(fd: number): number {
    const mine = fstatSync(fd);
    if (mine.nlink === 0) throw new StoreReplacedError(this.path, "deleted");
    let there: ReturnType<typeof statSync>;
    try {
      there = statSync(this.path);
    } catch {
      throw new StoreReplacedError(this.path, "deleted");
    }
    if (there.ino !== mine.ino || there.dev !== mine.dev) throw new StoreReplacedError(this.path, "replaced");
    return mine.size;
  }

  append(entries: LogEntry<C>[], hasher: RecordHasher): Linked[] {
    const fd = this.#open();
    const size = this.#checkSameFile(fd);
    if (size !== this.#size) this.#scan(this.#size); // the file changed under us: resume after it
    this.beforeAppend(entries);
    let seq = this.#head === null ? 0 : this.#head.seq + 1;
    let prevHash = this.#head?.recordHash ?? GENESIS_HASH;
    const out: Linked[] = [];
    let chunk = "";
    for (const e of entries) {
      const recordHash = hasher.hashCanonical(seq, prevHash, e.text);
      chunk += `{"seq": ${seq}, "prev_hash": "${prevHash}", "record_hash": "${recordHash}", "trace": ${e.text}}\n`;
      out.push({ seq, prevHash, recordHash });
      prevHash = recordHash;
      seq++;
    }
    const bytes = Buffer.from(chunk, "utf8");
    if (entries.some((e) => e.text.length + 200 > MAX_LINE_BYTES)) {
      throw new InvalidArgumentError(
        `a record is larger than ${MAX_LINE_BYTES} bytes, the most a store line may hold`,
      );
    }
    try {
      let written = 0;
      while (written < bytes.length) written += writeSync(fd, bytes, written);
      if (this.opts.synchronous === "FULL") fsyncSync(fd);
    } catch (cause) {
      // A short or failed write (ENOSPC, EFBIG, EIO) must leave the file exactly as before, so
      // the caller can retry the same batch later without a torn line or a duplicated record.
      this.#rollBack(fd);
      throw new StoreIoError(this.path, "append", { cause });
    }
    this.#size += bytes.length;
    this.#lines += entries.length;
    this.#count += entries.length;
    const last = out[out.length - 1]!;
    this.#head = { seq: last.seq, recordHash: last.recordHash };
    for (let i = 0; i < entries.length; i++) this.afterAppend(entries[i]!, out[i]!);
    return out;
  }

  /** Truncates to the last good length and makes that durable; if even that fails, rescans on the next append. */
  #rollBack(fd: number): void {
    try {
      ftruncateSync(fd, this.#size);
      fsyncSync(fd);
    } catch {
      // The next append sees the size differ and re-reads the tail (a torn line is then reported).
    }
  }

  protected beforeAppend(_entries: LogEntry<C>[]): void {}
  protected afterAppend(_entry: LogEntry<C>, _linked: Linked): void {}

  *rows(): IterableIterator<RawRow> {
    if (!existsSync(this.path)) return;
    for (const l of readLines(this.path)) {
      if (!l.complete) throw new StoreTornTailError(this.path, l.line, l.offset);
      if (l.text.trim() === "") continue;
      yield toRaw(l.text, l.line, this.path);
    }
  }

  count(): number {
    return this.#count;
  }

  head(): { seq: number; recordHash: string } | null {
    return this.#head;
  }

  bySeq(seq: number): RawRow | undefined {
    for (const row of this.rows()) if (row.seq === seq) return row;
    return undefined;
  }

  genesis(): string {
    return GENESIS_HASH;
  }

  start(): ChainStart {
    // A JSONL chain is never pruned: its first line must be seq 0 linked to genesis.
    return GENESIS_START;
  }

  snapshot<T>(fn: () => T): T {
    return fn();
  }

  close(): void {
    if (this.#fd !== null) {
      closeSync(this.#fd);
      this.#fd = null;
    }
  }
}

export class JsonlActionLog extends JsonlLog<ActionColumns> implements ActionLog {
  readonly #ids = new Set<string>();

  protected override onRecord(env: JsonlEnvelope, _line: number): void {
    const id = env.trace["action_id"];
    if (typeof id === "string") this.#ids.add(id);
  }

  protected override beforeAppend(entries: LogEntry<ActionColumns>[]): void {
    const ids = this.#ids;
    const seen = new Set<string>();
    for (const e of entries) {
      if (ids.has(e.columns.actionId) || seen.has(e.columns.actionId)) {
        throw new DuplicateActionIdError(e.columns.actionId);
      }
      seen.add(e.columns.actionId);
    }
  }

  protected override afterAppend(entry: LogEntry<ActionColumns>): void {
    this.#ids.add(entry.columns.actionId);
  }

  byActionId(actionId: string): RawRow | undefined {
    if (!this.#ids.has(actionId)) return undefined;
    const needle = JSON.stringify(actionId).slice(1, -1);
    for (const row of this.rows()) {
      if (!row.text.includes(needle) && !/\\u/.test(row.text)) continue;
      const payload = (row.reparse ? row.reparse() : parseJsonLossless(row.text)) as {
        [k: string]: JsonValue;
      };
      if (payload["action_id"] === actionId) return row;
    }
    return undefined;
  }

  prune(): number {
    throw new UnsupportedOperationError(
      "prune is not supported for JSONL stores (the reference never prunes JSONL; rotate files instead)",
    );
  }
}

export class JsonlSpanLog extends JsonlLog<SpanColumns> implements SpanLog {}

export class JsonlDecisionLog extends JsonlLog<DecisionColumns> implements DecisionLog {}
