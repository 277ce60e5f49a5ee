// Line output for exports: to stdout or a file, buffered so a million lines cost a few hundred
// writes, synchronous so memory stays flat whatever the size of the store.
import { closeSync, openSync, writeSync } from "node:fs";
import { OutputFileError } from "./errors.js";
import type { Output } from "./output.js";

export interface LineSink {
  write(line: string): void;
  /** Flushes and closes (idempotent); returns the number of lines written. */
  close(): number;
}

const CHUNK = 1 << 20;

export function lineSink(o: Output, outPath: string | undefined): LineSink {
  let fd: number | undefined;
  if (outPath !== undefined) {
    try {
      fd = openSync(outPath, "w");
    } catch (err) {
      const reason = (err as { code?: string }).code ?? "error";
      throw new OutputFileError(`cannot write '${outPath}' (${reason})`);
    }
  }
  let buf: string[] = [];
  let size = 0;
  let count = 0;
  let closed = false;
  const flush = (): void => {
    if (buf.length === 0) return;
    const text = buf.join("");
    buf = [];
    size = 0;
    if (fd === undefined) o.out(text);
    else writeSync(fd, text);
  };
  return {
    write(text) {
      buf.push(text, "\n");
      size += text.length + 1;
      count++;
      if (size >= CHUNK) flush();
    },
    close() {
      if (closed) return count;
      closed = true;
      try {
        flush();
      } finally {
        if (fd !== undefined) closeSync(fd);
      }
      return count;
    },
  };
}
