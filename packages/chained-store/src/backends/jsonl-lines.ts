// Streams the lines of a file in fixed-size chunks (constant memory), with 1-based line numbers
// and byte offsets, and reports an unterminated last line separately (a torn write).

import { closeSync, openSync, readSync } from "node:fs";
import { StoreCorruptError } from "../errors.js";

/**
 * Longest line (record) read or written: bounds the memory one hostile line can take. Appends
 * refuse larger records, so a store Weft wrote always reopens.
 */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

export interface FileLine {
  text: string;
  line: number;
  offset: number;
  /** Length of the line in the file, in bytes (not of `text`, which replaced invalid UTF-8). */
  bytes: number;
  /** False only for trailing bytes with no final newline. */
  complete: boolean;
}

const CHUNK = 1 << 20;

export function* readLines(
  path: string,
  from = 0,
  firstLine = 1,
  maxLine = MAX_LINE_BYTES,
): IterableIterator<FileLine> {
  const fd = openSync(path, "r");
  try {
    let buf = Buffer.alloc(CHUNK);
    let filled = 0; // bytes in buf
    let offset = from; // file offset of buf[0]
    let line = firstLine;
    for (;;) {
      if (filled === buf.length) {
        if (filled > maxLine) {
          throw new StoreCorruptError(path, { line }, `line is longer than ${maxLine} bytes`);
        }
        const bigger = Buffer.alloc(buf.length * 2);
        buf.copy(bigger, 0, 0, filled);
        buf = bigger;
      }
      const n = readSync(fd, buf, filled, buf.length - filled, offset + filled);
      if (n === 0) {
        if (filled > 0)
          yield { text: buf.toString("utf8", 0, filled), line, offset, bytes: filled, complete: false };
        return;
      }
      filled += n;
      let start = 0;
      for (let nl = buf.indexOf(10, 0); nl !== -1 && nl < filled; nl = buf.indexOf(10, start)) {
        if (nl - start > maxLine) {
          throw new StoreCorruptError(path, { line }, `line is longer than ${maxLine} bytes`);
        }
        yield {
          text: buf.toString("utf8", start, nl),
          line: line++,
          offset: offset + start,
          bytes: nl - start,
          complete: true,
        };
        start = nl + 1;
      }
      if (start > 0) {
        buf.copy(buf, 0, start, filled);
        filled -= start;
        offset += start;
      }
    }
  } finally {
    closeSync(fd);
  }
}
