// CLI-level failures and the one place that turns any thrown value into a line on stderr and an
// exit code (0 ok, 1 verification failed or error, 2 usage). Stack traces only with WEFT_DEBUG=1.
import { WeftError } from "@weft/kernel";

export const ExitCode = { OK: 0, FAILED: 1, USAGE: 2 } as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Bad flags or arguments: exit 2, with a pointer to the command's --help. */
export class UsageError extends WeftError {
  readonly command: string;
  /** `code` narrows the kind of usage error (e.g. OUTPUT_IS_INPUT); the exit status is 2 for all. */
  constructor(message: string, command = "", code = "USAGE") {
    super(code, message);
    this.command = command;
  }
}

/** The store path is missing, is a directory, or is not a Weft/weaver-kernel store. */
export class StoreOpenError extends WeftError {}

/** A record, trace or span asked for by id is not in the store. */
export class NotFoundError extends WeftError {
  constructor(message: string) {
    super("NOT_FOUND", message);
  }
}

/** An output file (`--out`) cannot be created or written. */
export class OutputFileError extends WeftError {
  constructor(message: string) {
    super("OUTPUT_UNWRITABLE", message);
  }
}

/** An input file other than the store (e.g. a collector OTLP file) cannot be read or parsed. */
export class InputFileError extends WeftError {
  constructor(message: string, code = "INPUT_INVALID") {
    super(code, message);
  }
}

interface SqliteLikeError {
  code?: unknown;
  message?: unknown;
}

/** better-sqlite3 errors the store did not wrap: give them the same one-line treatment. */
function sqliteMessage(err: SqliteLikeError): string | undefined {
  const code = typeof err.code === "string" ? err.code : "";
  if (code === "SQLITE_BUSY" || code === "SQLITE_LOCKED") {
    return "the store is locked by another process (retry when the writer has finished)";
  }
  if (code === "SQLITE_NOTADB") return "the file is not a SQLite store (pass --store-format jsonl for JSONL)";
  if (code === "SQLITE_CORRUPT") return "the SQLite store is corrupt";
  if (code === "SQLITE_CANTOPEN") return "the store cannot be opened (check the path and permissions)";
  if (code.startsWith("SQLITE_")) return `SQLite error ${code}: ${String(err.message ?? "")}`;
  return undefined;
}

export interface ErrorReport {
  line: string;
  exitCode: ExitCode;
}

/** Maps a thrown value to exactly one stderr line and an exit code. */
export function describeError(err: unknown): ErrorReport {
  if (err instanceof UsageError) {
    const help = err.command ? `weft ${err.command} --help` : "weft --help";
    const code = err.code === "USAGE" ? "" : ` [${err.code}]`;
    return { line: `error: ${oneLine(err.message)}${code} (see '${help}')`, exitCode: ExitCode.USAGE };
  }
  if (err instanceof WeftError) {
    return { line: `error: ${oneLine(err.message)} [${err.code}]`, exitCode: ExitCode.FAILED };
  }
  if (typeof err === "object" && err !== null) {
    const sqlite = sqliteMessage(err as SqliteLikeError);
    if (sqlite) return { line: `error: ${sqlite}`, exitCode: ExitCode.FAILED };
    const errno = (err as { code?: unknown }).code;
    const message = (err as { message?: unknown }).message;
    if (typeof errno === "string" && typeof message === "string") {
      return { line: `error: ${oneLine(message)} [${errno}]`, exitCode: ExitCode.FAILED };
    }
    if (typeof message === "string") {
      return { line: `error: unexpected failure: ${oneLine(message)}`, exitCode: ExitCode.FAILED };
    }
  }
  return { line: `error: unexpected failure: ${oneLine(String(err))}`, exitCode: ExitCode.FAILED };
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " ").trim();
}

export function debugEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env["WEFT_DEBUG"];
  return v !== undefined && v !== "" && v !== "0" && v.toLowerCase() !== "false";
}
