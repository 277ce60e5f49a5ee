// Timestamps in Python `datetime.isoformat()` layout, the reference's wire format:
// `YYYY-MM-DDTHH:MM:SS[.ffffff]+00:00`, microseconds only when non-zero. Kept as strings so
// microsecond precision survives; compared as integer epoch microseconds.

import { InvalidArgumentError } from "./errors.js";

const ORIGIN_US = Math.round(performance.timeOrigin * 1000);

/** Current UTC time in epoch microseconds (sub-millisecond part from the monotonic clock). */
export function nowMicros(): number {
  return ORIGIN_US + Math.round(performance.now() * 1000);
}

function pad(n: number, width: number): string {
  return n.toString().padStart(width, "0");
}

// The date-time part changes once a second; formatting it is most of the cost, so keep the last one.
let cachedSecond = Number.NaN;
let cachedBase = "";

/** Formats epoch microseconds as a UTC Python isoformat string. */
export function isoformatMicros(epochMicros: number): string {
  const us = ((epochMicros % 1_000_000) + 1_000_000) % 1_000_000;
  const second = (epochMicros - us) / 1_000_000;
  if (second !== cachedSecond) {
    const d = new Date(second * 1000);
    cachedBase =
      `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}` +
      `T${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}`;
    cachedSecond = second;
  }
  return `${cachedBase}${us === 0 ? "" : `.${pad(us, 6)}`}+00:00`;
}

export function isoformat(date: Date): string {
  return isoformatMicros(date.getTime() * 1000);
}

export function nowIso(): string {
  return isoformatMicros(nowMicros());
}

const ISO_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2})(?::(\d{2})(?::(\d{2})(?:[.,](\d{1,6}))?)?)?)?(Z|[+-]\d{2}:?\d{2}(?::?\d{2})?)?$/;

export interface ParsedIso {
  /** Epoch microseconds of the instant (naive = UTC). */
  epochMicros: number;
  /** Offset in seconds east of UTC; null when the string had none. */
  offsetSeconds: number | null;
  /** Local (wall-clock) fields, for re-emitting with the same offset. */
  localMicros: number;
}

/** Parses the `fromisoformat` subset the reference writes and reads; null when malformed. */
export function parseIsoformat(text: string): ParsedIso | null {
  const m = ISO_RE.exec(text);
  if (m === null) return null;
  const [, y, mo, d, h = "0", mi = "0", s = "0", frac = "", tz] = m;
  const localMs = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (
    Number.isNaN(localMs) ||
    Number(mo) > 12 ||
    Number(d) > 31 ||
    Number(h) > 23 ||
    Number(mi) > 59 ||
    Number(s) > 59
  )
    return null;
  const check = new Date(localMs);
  if (check.getUTCDate() !== Number(d)) return null;
  const localMicros = localMs * 1000 + Number(frac.padEnd(6, "0") || "0");
  let offsetSeconds: number | null = null;
  if (tz !== undefined) {
    if (tz === "Z") offsetSeconds = 0;
    else {
      const digits = tz.slice(1).replaceAll(":", "");
      const secs =
        Number(digits.slice(0, 2)) * 3600 +
        Number(digits.slice(2, 4)) * 60 +
        Number(digits.slice(4, 6) || "0");
      offsetSeconds = tz[0] === "-" ? -secs : secs;
    }
  }
  return { epochMicros: localMicros - (offsetSeconds ?? 0) * 1_000_000, offsetSeconds, localMicros };
}

/** Epoch microseconds of an isoformat string or Date; throws InvalidArgumentError when malformed. */
export function toEpochMicros(value: string | Date): number {
  if (value instanceof Date) return value.getTime() * 1000;
  const p = parseIsoformat(value);
  if (p === null) throw new InvalidArgumentError(`Malformed ISO-8601 timestamp: ${JSON.stringify(value)}.`);
  return p.epochMicros;
}

/** `datetime.fromisoformat(text).isoformat()`: the same instant and offset in canonical layout. */
export function normalizeIsoformat(text: string): string | null {
  const p = parseIsoformat(text);
  if (p === null) return null;
  const local = isoformatMicros(p.localMicros).slice(0, -6);
  if (p.offsetSeconds === null) return local;
  const off = Math.abs(p.offsetSeconds);
  const sign = p.offsetSeconds < 0 ? "-" : "+";
  const hh = pad(Math.floor(off / 3600), 2);
  const mm = pad(Math.floor((off % 3600) / 60), 2);
  const ss = off % 60;
  return `${local}${sign}${hh}:${mm}${ss === 0 ? "" : `:${pad(ss, 2)}`}`;
}
