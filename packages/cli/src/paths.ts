// What a command may read and write, checked before anything is opened. Evidence files are
// hostile input: a FIFO or a character device given as a store or collector file would block a
// read forever or never end (/dev/zero), and an --out naming the store (or its -wal, or a
// sidecar) would empty the evidence the command reads. Both are refused up front.
import { realpathSync, type Stats, statSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { StoreOpenError, UsageError } from "./errors.js";

/** The kind of a non-regular file, for messages; null for a regular file. */
export function specialKind(st: Stats): string | null {
  if (st.isFile()) return null;
  if (st.isDirectory()) return "a directory";
  if (st.isFIFO()) return "a FIFO";
  if (st.isSocket()) return "a socket";
  if (st.isCharacterDevice()) return "a character device";
  if (st.isBlockDevice()) return "a block device";
  return "not a regular file";
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** An input (store, collector file) must be an existing regular file. */
export function checkInputFile(path: string, what: string, missingCode = "STORE_NOT_FOUND"): Stats {
  const st = statOrUndefined(path);
  if (st === undefined)
    throw new StoreOpenError(missingCode, `no ${what} at '${path}': the file does not exist`);
  const kind = specialKind(st);
  if (kind === "a directory") {
    throw new StoreOpenError(missingCode, `'${path}' is a directory, not a ${what} file`);
  }
  if (kind !== null) {
    throw new StoreOpenError("NOT_A_REGULAR_FILE", `'${path}' is ${kind}, not a ${what} file`);
  }
  return st;
}

/** Files that belong to a store: the file, SQLite's -wal/-shm/-journal, JSONL sidecars and locks. */
export function storeFamily(storePath: string): string[] {
  const stem = storePath.endsWith(".jsonl") ? storePath.slice(0, -".jsonl".length) : storePath;
  const sidecars = [
    `${stem}.spans.jsonl`,
    `${storePath}.spans.jsonl`,
    `${stem}.decisions.jsonl`,
    `${storePath}.decisions.jsonl`,
    `${stem}.revocations.sqlite`,
    `${storePath}.lock`,
    `${stem}.spans.jsonl.lock`,
  ];
  const out: string[] = [];
  for (const f of [storePath, ...sidecars]) out.push(f, `${f}-wal`, `${f}-shm`, `${f}-journal`);
  return out;
}

/** Canonical identity of a path that may not exist yet: its real directory plus its name. */
function canonical(path: string): string {
  const abs = resolve(path);
  try {
    return realpathSync(abs);
  } catch {
    try {
      return resolve(realpathSync(dirname(abs)), basename(abs));
    } catch {
      return abs;
    }
  }
}

/**
 * Refuses an output path that is one of the inputs (same inode when both exist, same canonical
 * path otherwise) or that is not a regular file (a device, a FIFO, /dev/null, a directory).
 * Runs before the output is opened, so nothing is truncated on refusal.
 */
export function checkOutputPath(command: string, out: string, inputs: readonly string[]): void {
  const st = statOrUndefined(out);
  if (st !== undefined) {
    const kind = specialKind(st);
    if (kind !== null) {
      throw new UsageError(
        `--out '${out}' is ${kind}; give a regular file to write`,
        command,
        "OUTPUT_NOT_REGULAR",
      );
    }
  }
  const target = canonical(out);
  for (const input of inputs) {
    const ist = statOrUndefined(input);
    const same =
      st !== undefined && ist !== undefined
        ? st.dev === ist.dev && st.ino === ist.ino
        : canonical(input) === target;
    if (same) {
      throw new UsageError(
        `--out '${out}' is the input '${input}'; writing it would destroy the evidence being read`,
        command,
        "OUTPUT_IS_INPUT",
      );
    }
  }
}
