// Where command output goes and how it looks: plain text for pipes and scripts, tables and colour
// only on a terminal (never when NO_COLOR is set), JSON with --json. Commands write through an
// Output so tests can run them in-process and the binary can use the real streams.
import { writeSync } from "node:fs";
import { formatWithOptions } from "node:util";
import { WeftError } from "@weft/kernel";

export interface Output {
  /** stdout is a terminal: tables may be decorated, progress may be drawn. */
  readonly isTTY: boolean;
  /** stderr is a terminal (progress bars go there). */
  readonly errIsTTY: boolean;
  readonly color: boolean;
  readonly columns: number;
  out(text: string): void;
  err(text: string): void;
}

export function processOutput(env: NodeJS.ProcessEnv = process.env): Output {
  const isTTY = process.stdout.isTTY === true;
  const errIsTTY = process.stderr.isTTY === true;
  const noColor = env["NO_COLOR"] !== undefined && env["NO_COLOR"] !== "";
  return {
    isTTY,
    errIsTTY,
    color: isTTY && !noColor && env["TERM"] !== "dumb",
    columns: process.stdout.columns && process.stdout.columns > 40 ? process.stdout.columns : 100,
    out: (text) => writeAll(1, text),
    err: (text) => {
      try {
        writeAll(2, text);
      } catch {
        // stderr itself is gone (closed, /dev/full): nowhere left to report; the exit status still tells
      }
    },
  };
}

/** Writing stdout failed (closed pipe, full disk, I/O error): the command's output is incomplete. */
export class OutputStreamError extends WeftError {
  constructor(stream: "stdout" | "stderr", errno: string) {
    super(
      errno === "EPIPE" ? "STDOUT_CLOSED" : "STDOUT_WRITE_FAILED",
      `cannot write to ${stream} (${errno}); the output is incomplete`,
    );
  }
}

/**
 * Synchronous, complete write to a file descriptor. Synchronous so a failure (EPIPE, ENOSPC on
 * /dev/full, EIO) surfaces here as a typed error in the command's own flow, and the exit status
 * reflects it, rather than as a stream 'error' event after the command has returned its status.
 */
function writeAll(fd: number, text: string): void {
  const bytes = Buffer.from(text, "utf8");
  let off = 0;
  while (off < bytes.length) {
    try {
      off += writeSync(fd, bytes, off);
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      if (code === "EAGAIN") {
        // A non-blocking pipe is full: wait for the reader briefly instead of failing.
        Atomics.wait(PAUSE, 0, 0, 5);
        continue;
      }
      throw new OutputStreamError(fd === 1 ? "stdout" : "stderr", typeof code === "string" ? code : "EIO");
    }
  }
}

const PAUSE = new Int32Array(new SharedArrayBuffer(4));

export function line(o: Output, text = ""): void {
  o.out(`${text}\n`);
}

const SGR = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  cyan: [36, 39],
} as const;
export type Style = keyof typeof SGR;

/** Applies an ANSI style when the output allows colour; identity otherwise. */
export function paint(o: Pick<Output, "color">, style: Style, text: string): string {
  if (!o.color || text === "") return text;
  const [on, off] = SGR[style];
  return `\u001b[${on}m${text}\u001b[${off}m`;
}

/** Visible width of a string (ANSI escapes removed; one column per code point). */
export function visibleWidth(text: string): number {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping ANSI escapes is the point
  return [...text.replace(/\u001b\[[0-9;]*m/g, "")].length;
}

export function padEnd(text: string, width: number): string {
  const w = visibleWidth(text);
  return w >= width ? text : text + " ".repeat(width - w);
}

export function padStart(text: string, width: number): string {
  const w = visibleWidth(text);
  return w >= width ? text : " ".repeat(width - w) + text;
}

/** Shortens to `width` columns with an ellipsis (terminal tables only). */
export function truncate(text: string, width: number): string {
  const chars = [...text];
  if (chars.length <= width) return text;
  return `${chars.slice(0, Math.max(0, width - 1)).join("")}…`;
}

export interface Column {
  header: string;
  width?: number;
  align?: "left" | "right";
}

/** A simple aligned table: header, dashed rule, rows; last column unpadded. */
export function renderTable(o: Output, columns: readonly Column[], rows: readonly string[][]): string {
  const widths = columns.map((c, i) =>
    Math.max(c.width ?? 0, visibleWidth(c.header), ...rows.map((r) => visibleWidth(r[i] ?? ""))),
  );
  const fmt = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => {
        if (i === cells.length - 1 && columns[i]?.align !== "right") return cell;
        const w = widths[i] ?? 0;
        return columns[i]?.align === "right" ? padStart(cell, w) : padEnd(cell, w);
      })
      .join(" ")
      .trimEnd();
  const header = fmt(columns.map((c) => c.header));
  const out = [paint(o, "bold", header), "-".repeat(visibleWidth(header)), ...rows.map(fmt)];
  return `${out.join("\n")}\n`;
}

/** For messages where util.format semantics are handy (never used for secrets). */
export function fmt(...args: unknown[]): string {
  return formatWithOptions({ colors: false }, ...args);
}

/** Pads by code points, like Python's `f"{s:<n}"` (the reference table's alignment). */
export function pyPad(text: string, width: number): string {
  const n = [...text].length;
  return n >= width ? text : text + " ".repeat(width - n);
}

/**
 * Makes untrusted text (principal ids, error messages from a store) safe to print on a terminal:
 * control characters would otherwise let a recorded value drive the user's terminal.
 */
export function safe(text: string): string {
  return text.replace(
    // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
    /[\u0000-\u001f\u007f-\u009f]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
