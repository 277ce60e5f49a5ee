// Flag parsing on node:util parseArgs, so every command rejects unknown flags and missing values
// the same way (a UsageError → exit 2) and shares the store and filter flags.
import { parseArgs } from "node:util";
import { UsageError } from "./errors.js";

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
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true }) as Parsed;
  } catch (err) {
    const e = err as ParseArgsError;
    const raw = typeof e.message === "string" ? e.message : String(err);
    // node's messages are multi-line with advice about "--"; keep the first sentence.
    const first = raw.split("\n")[0]?.replace(/\. To specify a positional argument.*$/, "") ?? raw;
    throw new UsageError(first, command);
  }
  if (parsed.values["help"] === true) return parsed;
  if (parsed.positionals.length > maxPositionals) {
    throw new UsageError(`unexpected argument '${parsed.positionals[maxPositionals]}'`, command);
  }
  return parsed;
}

export function str(p: Parsed, name: string): string | undefined {
  const v = p.values[name];
  return typeof v === "string" ? v : undefined;
}

export function bool(p: Parsed, name: string): boolean {
  return p.values[name] === true;
}

export function nonNegativeInt(command: string, name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value))
    throw new UsageError(`--${name} must be a non-negative integer, got '${value}'`, command);
  return Number(value);
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
