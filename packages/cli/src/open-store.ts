// Opens the store a command names: --store or WEFT_STORE, format from --store-format/--format,
// else the suffix, else the file's first bytes; the secret from --secret, WEFT_SECRET or
// WEAVER_KERNEL_SECRET. A typo'd path must not "verify OK", so a missing file is an error here.
import { closeSync, existsSync, openSync, readSync } from "node:fs";
import { type ChainedStore, openStore, spansPathFor } from "@weft/chained-store";
import { nonNegativeInt, type Parsed, str } from "./args.js";
import { StoreOpenError, UsageError } from "./errors.js";
import { checkInputFile } from "./paths.js";

export type FileFormat = "sqlite" | "jsonl";
const SQLITE_MAGIC = "SQLite format 3\u0000";

export interface StoreTarget {
  path: string;
  format: FileFormat;
  secret: string | undefined;
  /** Where the secret came from, for messages (never the value). */
  secretSource: "--secret" | "WEFT_SECRET" | "WEAVER_KERNEL_SECRET" | "none";
  busyTimeoutMs?: number;
}

export function resolveSecret(
  p: Parsed | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Pick<StoreTarget, "secret" | "secretSource"> {
  const flag = p ? str(p, "secret") : undefined;
  if (flag !== undefined && flag !== "") return { secret: flag, secretSource: "--secret" };
  const weft = env["WEFT_SECRET"];
  if (weft) return { secret: weft, secretSource: "WEFT_SECRET" };
  const wk = env["WEAVER_KERNEL_SECRET"];
  if (wk) return { secret: wk, secretSource: "WEAVER_KERNEL_SECRET" };
  return { secret: undefined, secretSource: "none" };
}

/**
 * Store format from the flags: --store-format, or --format when its value names a store format.
 * On `export`, --format names the output format, so only `--format sqlite` (which no output
 * format is called) still means the store format there; `--format jsonl` is the JSONL output.
 */
export function formatFlag(command: string, p: Parsed): FileFormat | undefined {
  const explicit = str(p, "store-format");
  const raw = str(p, "format");
  const exporting = command === "audit export";
  if (raw !== undefined && raw !== "sqlite" && raw !== "jsonl" && !exporting) {
    throw new UsageError(`--format must be sqlite|jsonl (the store format), got '${raw}'`, command);
  }
  const legacy = exporting && raw !== "sqlite" ? undefined : raw;
  const value = explicit ?? (legacy === "sqlite" || legacy === "jsonl" ? legacy : undefined);
  if (value === undefined) return undefined;
  if (value !== "sqlite" && value !== "jsonl") {
    throw new UsageError(`--store-format must be sqlite|jsonl, got '${value}'`, command);
  }
  return value;
}

export function storePath(command: string, p: Parsed, env: NodeJS.ProcessEnv = process.env): string {
  const path = str(p, "store") ?? env["WEFT_STORE"];
  if (path === undefined || path === "") {
    throw new UsageError("--store PATH is required (or set WEFT_STORE)", command);
  }
  return path;
}

/** Sniffs the format of an existing file; throws StoreOpenError when it is neither. */
export function detectFormat(path: string): FileFormat {
  const st = checkInputFile(path, "store");
  if (/\.(jsonl|ndjson)$/i.test(path)) return "jsonl";
  if (st.size === 0) return /\.(db|sqlite3?)$/i.test(path) ? "sqlite" : "jsonl";
  const head = Buffer.alloc(Math.min(64, st.size));
  const fd = openSync(path, "r");
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  if (head.subarray(0, 16).toString("latin1") === SQLITE_MAGIC) return "sqlite";
  const text = head.toString("utf8").trimStart();
  if (text.startsWith("{")) return "jsonl";
  throw new StoreOpenError(
    "NOT_A_STORE",
    `'${path}' is not a Weft store (neither SQLite nor JSONL records); pass --store-format to override`,
  );
}

export function resolveTarget(command: string, p: Parsed, env: NodeJS.ProcessEnv = process.env): StoreTarget {
  const path = storePath(command, p, env);
  const flag = formatFlag(command, p);
  // better-sqlite3 takes a 32-bit timeout.
  const busy = nonNegativeInt(command, "busy-timeout", str(p, "busy-timeout"), 0x7fffffff);
  // A JSONL store the span mirror alone wrote has only its `.spans.jsonl` sidecar.
  const spansOnly = !existsSync(path) && /\.jsonl$/i.test(path) && existsSync(spansPathFor(path));
  if (spansOnly) checkInputFile(spansPathFor(path), "store");
  const sniffed = spansOnly ? "jsonl" : detectFormat(path); // proves the file exists even with --store-format
  return {
    path,
    format: flag ?? sniffed,
    ...resolveSecret(p, env),
    ...(busy === undefined ? {} : { busyTimeoutMs: busy }),
  };
}

/**
 * Read-only commands that never hash (list, show, export, …) open with this when no secret is
 * configured, so the store does not warn about a dev secret that would never be used.
 */
const UNUSED_SECRET = "weft-cli-read-only-secret-not-used";

export function openTarget(
  target: StoreTarget,
  options: { needsSecret?: boolean; readonly?: boolean } = {},
): ChainedStore {
  const secret = target.secret ?? (options.needsSecret ? undefined : UNUSED_SECRET);
  return openStore({
    path: target.path,
    format: target.format,
    readonly: options.readonly ?? true,
    ...(secret === undefined ? {} : { secret }),
    ...(target.busyTimeoutMs === undefined ? {} : { busyTimeoutMs: target.busyTimeoutMs }),
  });
}

/** Opens the store for a command, runs `fn`, and always closes it. */
export async function withStore<T>(
  command: string,
  p: Parsed,
  fn: (store: ChainedStore, target: StoreTarget) => T | Promise<T>,
  options: { needsSecret?: boolean } = {},
): Promise<T> {
  const target = resolveTarget(command, p);
  const store = openTarget(target, options);
  try {
    return await fn(store, target);
  } finally {
    store.close();
  }
}
