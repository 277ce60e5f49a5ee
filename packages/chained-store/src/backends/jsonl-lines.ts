// Streams the lines of a file in fixed-size chunks (constant memory), with 1-based line numbers
// and byte offsets, and reports an unterminated last line separately (a torn write).

import { closeSync, openSync, readSync } from "node:fs";

export interface FileLine {
  text: string;
  line: number;
  offset: number;
  /** False only for trailing bytes with no final newline. */
  complete: boolean;
}

const CHUNK = 1 << 20;

export function* readLines(path: string, from = 0, firstLine = 1): IterableIterator<FileLine> {
  const fd = openSync(path, "r");
  try {
    let buf = Buffer.alloc(CHUNK);
    let filled = 0; // bytes in buf
    let offset = from; // file offset of buf[0]
    let line = firstLine;
    for (;;) {
      if (filled === buf.length) {
        const bigger = Buffer.alloc(buf.length * 2);
        buf.copy(bigger, 0, 0, filled);
        buf = bigger;
      }
      const n = readSync(fd, buf, filled, buf.length - filled, offset + filled);
      if (n === 0) {
        if (filled > 0) yield { text: buf.toString("utf8", 0, filled), line, offset, complete: false };
        return;
      }
      filled += n;
      let start = 0;
      for (let nl = buf.indexOf(10, 0); nl !== -1 && nl < filled; nl = buf.indexOf(10, start)) {
        yield { text: buf.toString("utf8", start, nl), line: line++, offset: offset + start, complete: true };
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
