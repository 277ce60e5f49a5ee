// Files the proof commands read and write. Keys, checkpoints, receipts and policies are evidence
// an attacker may hand us: only regular files, size-capped, read once; outputs are written to a
// temp file and renamed (never half a receipt), and never over the store they came from.
import {
  closeSync,
  lstatSync,
  openSync,
  readFileSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { dirname, resolve } from "node:path";
import { type NoteVerifierKey, parseVerifierKey } from "@weft/chained-store";
import { InputFileError, OutputFileError, UsageError } from "./errors.js";

const VKEY_LIKE = /^[^+\s]+\+[0-9a-f]{8}\+[A-Za-z0-9+/]+={0,2}$/;

/** Reads a small regular file as UTF-8, refusing FIFOs, devices, directories and huge files. */
export function readSmallFile(what: string, path: string, maxBytes: number): string {
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(path);
  } catch (e) {
    throw new InputFileError(`cannot read ${what} '${path}' (${(e as { code?: string }).code ?? "error"})`);
  }
  if (!st.isFile()) throw new InputFileError(`${what} '${path}' is not a regular file`);
  if (st.size > maxBytes) throw new InputFileError(`${what} '${path}' is larger than ${maxBytes} bytes`);
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    throw new InputFileError(`cannot read ${what} '${path}' (${(e as { code?: string }).code ?? "error"})`);
  }
}

/** `--key`: a verifier key given inline, or the path of a file holding one (first line). */
export function verifierKeyArg(command: string, value: string | undefined): NoteVerifierKey {
  if (value === undefined || value === "")
    throw new UsageError("--key VKEY is required (a verifier key or a file holding one)", command);
  const text = VKEY_LIKE.test(value)
    ? value
    : (readSmallFile("key file", value, 4096).split("\n")[0] ?? "").trim();
  if (text.startsWith("PRIVATE+KEY+")) {
    throw new UsageError("--key wants the verifier key (name+id+key), not the private signing key", command);
  }
  try {
    return parseVerifierKey(text);
  } catch (e) {
    throw new UsageError(`--key: ${(e as Error).message}`, command);
  }
}

function sameFile(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return resolve(a) === resolve(b);
  }
}

/** Writes `text` to `path` atomically (temp + rename); refuses to replace any of `inputs`. */
export function writeOutputFile(
  path: string,
  text: string,
  options: { inputs?: readonly string[]; mode?: number; exclusive?: boolean } = {},
): void {
  for (const input of options.inputs ?? []) {
    if (sameFile(path, input))
      throw new OutputFileError(`refusing to write '${path}': it is an input of this command`);
  }
  let existing: ReturnType<typeof lstatSync> | undefined;
  try {
    existing = lstatSync(path);
  } catch {
    existing = undefined;
  }
  if (existing && options.exclusive) throw new OutputFileError(`refusing to overwrite '${path}': it exists`);
  if (existing && !existing.isFile())
    throw new OutputFileError(`cannot write '${path}': it is not a regular file`);
  const tmp = resolve(dirname(path), `.${process.pid}.${Date.now()}.weft-tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, "wx", options.mode ?? 0o644);
    writeSync(fd, text);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // nothing was created
    }
    throw new OutputFileError(`cannot write '${path}' (${(e as { code?: string }).code ?? "error"})`);
  }
}
