// Time bounds for queries. Action traces store UTC stamps in Python isoformat() layout
// (`YYYY-MM-DDTHH:MM:SS[.ffffff]+00:00`), which sorts correctly as text; spans store integer
// nanoseconds. These helpers turn user bounds (Date or ISO-8601, naive = UTC) into either.

import { InvalidArgumentError } from "./errors.js";

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;
/** The layout the reference writes and the SQL range filters rely on. */
export const PY_ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{6})?\+00:00$/;

function pad(n: number, w: number): string {
  return String(n).padStart(w, "0");
}

/** Epoch nanoseconds of a Date or an ISO-8601 string (naive = UTC). */
export function toEpochNanos(input: Date | string, what = "time"): bigint {
  if (input instanceof Date) {
    const ms = input.getTime();
    if (Number.isNaN(ms)) throw new InvalidArgumentError(`${what} is an invalid Date`);
    return BigInt(ms) * 1_000_000n;
  }
  if (/^\d+$/.test(input)) return BigInt(input);
  const m = ISO.exec(input.trim());
  if (m === null)
    throw new InvalidArgumentError(`${what} is not an ISO-8601 timestamp: ${JSON.stringify(input)}`);
  const [, y, mo, d, h = "0", mi = "0", s = "0", frac = "", tz] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const check = new Date(ms);
  if (Number.isNaN(ms) || check.getUTCDate() !== Number(d) || check.getUTCHours() !== Number(h)) {
    throw new InvalidArgumentError(`${what} is not a valid date: ${JSON.stringify(input)}`);
  }
  let offsetMin = 0;
  if (tz !== undefined && tz.toUpperCase() !== "Z") {
    const sign = tz.startsWith("-") ? -1 : 1;
    const digits = tz.slice(1).replace(":", "");
    offsetMin = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)));
  }
  return (BigInt(ms) - BigInt(offsetMin) * 60_000n) * 1_000_000n + BigInt(frac.padEnd(9, "0") || "0");
}

/** UTC isoformat() string (microsecond precision, truncating) of a Date or ISO-8601 string. */
export function toPythonIsoUtc(input: Date | string, what = "time"): string {
  const ns = toEpochNanos(input, what);
  const us = ns / 1000n - (ns < 0n && ns % 1000n !== 0n ? 1n : 0n);
  const micros = Number(((us % 1_000_000n) + 1_000_000n) % 1_000_000n);
  const d = new Date(Number((us - BigInt(micros)) / 1000n));
  const base =
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}` +
    `T${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}`;
  return `${base}${micros === 0 ? "" : `.${pad(micros, 6)}`}+00:00`;
}
