// Flag parsing on node:util parseArgs, so every command rejects unknown flags and missing values
// the same way (a UsageError → exit 2) and shares the store and filter flags.
import { parseArgs } from "node:util";
import { UsageError } from "./errors.js";
import { didYouMean } from "./suggest.js";

export type OptionSpec = Record<string, { type: "string" | "boolean"; short?: string; multiple?: boolean }>;

export interface Parsed {
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  positionals: string[];
}

/** Flags every store-reading command accepts (reference: --store --format --secret --json). */
export const STORE_OPTIONS = {
  store: { type: "string" },
  format: { type: "string" },
  "store-format": { type: "string" },
  secret: { type: "string" },
  "busy-timeout": { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const satisfies OptionSpec;

/** Filters shared by list, export and stats. */
export const FILTER_OPTIONS = {
  principal: { type: "string" },
  capability: { type: "string" },
  event: { type: "string" },
  status: { type: "string" },
  reason: { type: "string" },
  agent: { type: "string" },
  since: { type: "string" },
  until: { type: "string" },
  "trace-id": { type: "string" },
  decision: { type: "string" },
  "after-seq": { type: "string" },
  "before-seq": { type: "string" },
  order: { type: "string" },
  limit: { type: "string" },
  offset: { type: "string" },
} as const satisfies OptionSpec;

interface ParseArgsError {
  code?: unknown;
  message?: unknown;
}

export function parse(
  command: string,
  argv: readonly string[],
  options: OptionSpec,
  maxPositionals: number,
): Parsed {
  let parsed: Parsed;
  try {
    parsed = parseArgs({
      args: attachNegativeValues(argv, options),
      options,
      allowPositionals: true,
      strict: true,
    }) as Parsed;
  } catch (err) {
    const e = err as ParseArgsError;
    const raw = typeof e.message === "string" ? e.message : String(err);
    // node's messages are multi-line with advice about "--"; keep the first sentence.
    const first = raw.split("\n")[0]?.replace(/\. To specify a positional argument.*$/, "") ?? raw;
    const unknown = e.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" ? /'(--?[^']+)'/.exec(first)?.[1] : undefined;
    if (unknown !== undefined) {
      const name = unknown.replace(/^--?/, "").split("=")[0] ?? "";
      throw new UsageError(
        `unknown option '${unknown}'${didYouMean(name, Object.keys(options), (n) => `--${n}`)}`,
        command,
      );
    }
    throw new UsageError(first, command);
  }
  if (parsed.values["help"] === true) return parsed;
  if (parsed.positionals.length > maxPositionals) {
    throw new UsageError(`unexpected argument '${parsed.positionals[maxPositionals]}'`, command);
  }
  return parsed;
}

/**
 * `--limit -3`: node's parser takes "-3" for a short flag and reports the value as "ambiguous".
 * A value that looks like a negative number is attached (`--limit=-3`), so the flag's own check
 * says what is wrong with it.
 */
function attachNegativeValues(argv: readonly string[], options: OptionSpec): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const next = argv[i + 1];
    if (arg === "--") {
      out.push(...argv.slice(i));
      break;
    }
    const name = arg.startsWith("--") && !arg.includes("=") ? arg.slice(2) : undefined;
    if (name !== undefined && options[name]?.type === "string" && next !== undefined && /^-\d/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

export function str(p: Parsed, name: string): string | undefined {
  const v = p.values[name];
  return typeof v === "string" ? v : undefined;
}

export function bool(p: Parsed, name: string): boolean {
  return p.values[name] === true;
}

export function nonNegativeInt(
  command: string,
  name: string,
  value: string | undefined,
  max: number = Number.MAX_SAFE_INTEGER,
): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value))
    throw new UsageError(`--${name} must be a non-negative integer, got '${value}'`, command);
  // Out of range is refused, never rounded or wrapped (99999999999999999999 is not 1e20).
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n > max) {
    throw new UsageError(`--${name} must be at most ${max}, got '${value}'`, command);
  }
  return n;
}

export function oneOf<T extends string>(
  command: string,
  name: string,
  value: string | undefined,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(`--${name} must be one of ${allowed.join("|")}, got '${value}'`, command);
  }
  return value as T;
}
