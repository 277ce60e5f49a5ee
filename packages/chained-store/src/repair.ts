// Recovery for a JSONL store whose last line was cut short by a crash (StoreTornTailError).
// The torn bytes are never thrown away: they are copied to `<path>.torn-<epoch ms>` and the store
// is truncated to its last complete line. A tail that is in fact a whole record missing only its
// newline is completed instead of moved.

import { closeSync, fsyncSync, ftruncateSync, openSync, writeFileSync, writeSync } from "node:fs";
import { parseEnvelope } from "./backends/jsonl.js";
import { readLines } from "./backends/jsonl-lines.js";
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

export function repairJsonlStore(path: string): RepairResult {
  let lastSeq: number | null = null;
  let tail: { text: string; line: number; offset: number } | null = null;
  try {
    for (const l of readLines(path)) {
      if (!l.complete) {
        tail = l;
        break;
      }
      const env = l.text.trim() === "" ? null : parseEnvelope(l.text);
      if (env) lastSeq = env.seq;
    }
  } catch (cause) {
    if ((cause as { code?: string }).code === "ENOENT")
      throw new NotAStoreError(path, "the file does not exist");
    throw new StoreIoError(path, "read", { cause });
  }
  if (tail === null) return { torn: false, line: null, bytes: 0, movedTo: null, completed: false };
  try {
    const env = parseEnvelope(tail.text);
    const fd = openSync(path, "r+");
    try {
      if (env !== null && env.seq === (lastSeq === null ? env.seq : lastSeq + 1)) {
        writeSync(fd, "\n", Buffer.byteLength(tail.text) + tail.offset);
        fsyncSync(fd);
        return { torn: true, line: tail.line, bytes: 0, movedTo: null, completed: true };
      }
      const movedTo = `${path}.torn-${Date.now()}`;
      const bytes = Buffer.from(tail.text, "utf8");
      writeFileSync(movedTo, bytes, { flag: "wx" });
      const saved = openSync(movedTo, "r");
      fsyncSync(saved);
      closeSync(saved);
      ftruncateSync(fd, tail.offset);
      fsyncSync(fd);
      return { torn: true, line: tail.line, bytes: bytes.length, movedTo, completed: false };
    } finally {
      closeSync(fd);
    }
  } catch (cause) {
    throw new StoreIoError(path, "repair", { cause });
  }
}
