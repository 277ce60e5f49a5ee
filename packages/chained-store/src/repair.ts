// Recovery for a JSONL store whose last line was cut short by a crash (StoreTornTailError).
// The torn bytes are never thrown away: they are copied, byte for byte (no text decoding, so
// invalid UTF-8 survives as it was), to `<file>.torn-<epoch ms>` and the file is truncated to its
// last complete line. A tail that is in fact a whole record missing only its newline is completed
// instead, with the newline written at the file's true end. Both files of a store are repaired:
// the actions file and its `.spans.jsonl` sidecar (a store the span mirror alone wrote has only
// the sidecar). The file is read backwards from its end, so memory stays bounded by one line.

import {
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  readSync,
  writeSync,
} from "node:fs";
import { decisionsPathFor, parseEnvelope, spansPathFor } from "./backends/jsonl.js";
import { MAX_LINE_BYTES } from "./backends/jsonl-lines.js";
import { NotAStoreError, StoreIoError } from "./errors.js";

export interface RepairResult {
  /** Whether the file had a torn last line. */
  torn: boolean;
  /** 1-based line number of the torn line. */
  line: number | null;
  /** Bytes moved aside (0 when the line was completed). */
  bytes: number;
  /** Where the torn bytes were saved. */
  movedTo: string | null;
  /** True when the last line was a whole record and only its newline was added. */
  completed: boolean;
}

export interface StoreRepairResult extends RepairResult {
  /** The same for the spans sidecar (`<name>.spans.jsonl`), when it exists. */
  spans: (RepairResult & { path: string }) | null;
  /** The same for the decisions sidecar (`<name>.decisions.jsonl`), when it exists. */
  decisions: (RepairResult & { path: string }) | null;
}

const CHUNK = 64 * 1024;

/** Offset just after the last "\n" at or before `end` (0 when there is none). */
function lineStartBefore(fd: number, end: number): number {
  const buf = Buffer.allocUnsafe(CHUNK);
  let pos = end;
  while (pos > 0) {
    const len = Math.min(CHUNK, pos);
    const n = readSync(fd, buf, 0, len, pos - len);
    const nl = buf.subarray(0, n).lastIndexOf(0x0a);
    if (nl !== -1) return pos - len + nl + 1;
    pos -= len;
  }
  return 0;
}

function readRange(fd: number, from: number, to: number): Buffer {
  const buf = Buffer.allocUnsafe(to - from);
  let off = 0;
  while (off < buf.length) {
    const n = readSync(fd, buf, off, buf.length - off, from + off);
    if (n === 0) break;
    off += n;
  }
  return buf.subarray(0, off);
}

/** Number of "\n" before `end`: the torn line's 1-based number is this plus one. */
function countLines(fd: number, end: number): number {
  const buf = Buffer.allocUnsafe(CHUNK);
  let lines = 0;
  for (let pos = 0; pos < end; ) {
    const n = readSync(fd, buf, 0, Math.min(CHUNK, end - pos), pos);
    if (n === 0) break;
    for (let i = buf.indexOf(0x0a, 0); i !== -1 && i < n; i = buf.indexOf(0x0a, i + 1)) lines++;
    pos += n;
  }
  return lines;
}

/** Whether bytes are valid UTF-8 (a decode/encode round trip changes nothing). */
function isUtf8(bytes: Buffer): boolean {
  return Buffer.from(bytes.toString("utf8"), "utf8").equals(bytes);
}

/** Repairs one JSONL file in place. */
export function repairJsonlFile(path: string): RepairResult {
  let fd: number;
  try {
    fd = openSync(path, "r+");
  } catch (cause) {
    if ((cause as { code?: string }).code === "ENOENT")
      throw new NotAStoreError(path, "the file does not exist");
    throw new StoreIoError(path, "open for repair", { cause });
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new NotAStoreError(path, "it is not a regular file");
    const size = st.size;
    const tailStart = lineStartBefore(fd, size);
    if (tailStart === size) return { torn: false, line: null, bytes: 0, movedTo: null, completed: false };
    const line = countLines(fd, tailStart) + 1;
    if (size - tailStart <= MAX_LINE_BYTES) {
      const tail = readRange(fd, tailStart, size);
      const env = isUtf8(tail) ? parseEnvelope(tail.toString("utf8")) : null;
      if (env !== null && env.seq === expectedSeq(fd, tailStart)) {
        writeSync(fd, "\n", size); // at the true end of the file, whatever the line held
        fsyncSync(fd);
        return { torn: true, line, bytes: 0, movedTo: null, completed: true };
      }
    }
    const movedTo = `${path}.torn-${Date.now()}`;
    copyAside(fd, tailStart, size, movedTo);
    ftruncateSync(fd, tailStart);
    fsyncSync(fd);
    return { torn: true, line, bytes: size - tailStart, movedTo, completed: false };
  } catch (cause) {
    if (cause instanceof NotAStoreError) throw cause;
    throw new StoreIoError(path, "repair", { cause });
  } finally {
    closeSync(fd);
  }
}

/** Seq the torn line must carry to be the chain's next record (from the previous line). */
function expectedSeq(fd: number, tailStart: number): number | null {
  if (tailStart === 0) return 0;
  const prevStart = lineStartBefore(fd, tailStart - 1);
  if (tailStart - 1 - prevStart > MAX_LINE_BYTES) return null;
  const prev = parseEnvelope(readRange(fd, prevStart, tailStart - 1).toString("utf8"));
  return prev === null ? null : prev.seq + 1;
}

/** Copies [from, to) to a new file (exclusive create), fsynced before the original is cut. */
function copyAside(fd: number, from: number, to: number, dest: string): void {
  const out = openSync(dest, "wx", 0o600);
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    for (let pos = from; pos < to; ) {
      const n = readSync(fd, buf, 0, Math.min(CHUNK, to - pos), pos);
      if (n === 0) break;
      let off = 0;
      while (off < n) off += writeSync(out, buf, off, n - off);
      pos += n;
    }
    fsyncSync(out);
  } finally {
    closeSync(out);
  }
}

/**
 * Repairs a JSONL store: its actions file and its spans sidecar, whichever exist. A store the
 * span mirror alone wrote (only `<name>.spans.jsonl`) is a store too.
 */
export function repairJsonlStore(path: string): StoreRepairResult {
  const spansPath = spansPathFor(path);
  const decisionsPath = decisionsPathFor(path);
  const hasMain = existsSync(path);
  const hasSpans = spansPath !== path && existsSync(spansPath);
  const hasDecisions = decisionsPath !== path && existsSync(decisionsPath);
  if (!hasMain && !hasSpans && !hasDecisions) throw new NotAStoreError(path, "the file does not exist");
  const main: RepairResult = hasMain
    ? repairJsonlFile(path)
    : { torn: false, line: null, bytes: 0, movedTo: null, completed: false };
  const spans = hasSpans ? { path: spansPath, ...repairJsonlFile(spansPath) } : null;
  const decisions = hasDecisions ? { path: decisionsPath, ...repairJsonlFile(decisionsPath) } : null;
  return { ...main, spans, decisions };
}
