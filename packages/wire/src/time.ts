// Time on the wire, one grammar. Action traces carry UTC stamps in Python `isoformat()` layout
// (`YYYY-MM-DDTHH:MM:SS[.ffffff]+00:00`, microseconds only when non-zero), which sorts correctly
// as text; spans carry integer nanoseconds as decimal strings; OTel carries HrTime pairs.
// Every function here is total: malformed input gives `null`, and each caller raises its own
// typed error, so a bad `since` is an INVALID_ARGUMENT in the store and an OCSF mapping error in
// the exporter, while the grammar stays the same everywhere.

/**
 * The accepted ISO-8601 subset (what `datetime.fromisoformat` of Python 3.11 reads, minus the
 * basic/week/ordinal forms): `YYYY-MM-DD`, then optionally `T`/`t`/space and `HH[:MM[:SS[.f]]]`
 * with 1–9 fraction digits (`.` or `,`), then optionally `Z`/`z` or an offset `±HH:MM[:SS]` /
 * `±HHMM[SS]`. No offset means UTC (the reference's naive stamps are UTC).
 */
const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2})(?::(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?(Z|z|[+-]\d{2}(?::\d{2}(?::\d{2})?|\d{4}|\d{2}))?)?$/;

/** The layout the reference writes and text range filters rely on: UTC, `+00:00`, 0 or 6 fraction digits. */
export const PY_ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{6})?\+00:00$/;

/** One parsed timestamp. */
export interface IsoInstant {
  /** The instant as epoch nanoseconds (exact). */
  epochNanos: bigint;
  /** The instant as epoch microseconds, fraction truncated like Python (exact below year 2255). */
  epochMicros: number;
  /** Offset in seconds east of UTC; null when the text had none (then it is read as UTC). */
  offsetSeconds: number | null;
  /** Wall-clock fields as epoch microseconds (for re-emitting with the same offset). */
  localMicros: number;
}

const US_PER_DAY = 86_400_000_000n;

/** Days since 1970-01-01 of a proleptic Gregorian date (integer arithmetic, any year). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** The date of a day number (inverse of daysFromCivil). */
function civilFromDays(z0: number): [number, number, number] {
  const z = z0 + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

function pad(n: number | bigint, width: number): string {
  return n.toString().padStart(width, "0");
}

/** Parses a timestamp of the one grammar; null when malformed or impossible (`2026-02-31`, `24:00`). */
export function parseIso(text: string): IsoInstant | null {
  if (typeof text !== "string" || text.length > 64) return null;
  const m = ISO.exec(text);
  if (m === null) return null;
  const [, ys, mos, ds, hs = "0", mis = "0", ss = "0", frac = "", tz] = m;
  const y = Number(ys);
  const mo = Number(mos);
  const d = Number(ds);
  const h = Number(hs);
  const mi = Number(mis);
  const s = Number(ss);
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59)
    return null;
  const nanosOfSecond = BigInt(frac.padEnd(9, "0") || "0");
  const localSeconds = BigInt(daysFromCivil(y, mo, d)) * 86_400n + BigInt(h * 3600 + mi * 60 + s);
  let offsetSeconds: number | null = null;
  if (tz !== undefined) {
    if (tz === "Z" || tz === "z") offsetSeconds = 0;
    else {
      const digits = tz.slice(1).replaceAll(":", "");
      const oh = Number(digits.slice(0, 2));
      const om = Number(digits.slice(2, 4) || "0");
      const os = Number(digits.slice(4, 6) || "0");
      if (oh > 23 || om > 59 || os > 59) return null;
      const secs = oh * 3600 + om * 60 + os;
      offsetSeconds = tz[0] === "-" ? -secs : secs;
    }
  }
  const localNanos = localSeconds * 1_000_000_000n + nanosOfSecond;
  const epochNanos = localNanos - BigInt(offsetSeconds ?? 0) * 1_000_000_000n;
  return {
    epochNanos,
    epochMicros: Number(floorDiv(epochNanos, 1000n)),
    offsetSeconds,
    localMicros: Number(floorDiv(localNanos, 1000n)),
  };
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

/** Epoch nanoseconds of a Date or a timestamp of the grammar; null when malformed. */
export function toEpochNanos(input: Date | string): bigint | null {
  if (input instanceof Date) {
    const ms = input.getTime();
    return Number.isNaN(ms) ? null : BigInt(ms) * 1_000_000n;
  }
  return parseIso(input)?.epochNanos ?? null;
}

/** Epoch microseconds (truncated like Python) of a Date or a timestamp of the grammar; null when malformed. */
export function toEpochMicros(input: Date | string): number | null {
  if (input instanceof Date) {
    const ms = input.getTime();
    return Number.isNaN(ms) ? null : ms * 1000;
  }
  return parseIso(input)?.epochMicros ?? null;
}

/** Formats exact epoch microseconds (bigint) as UTC isoformat, for any year 0001–9999. */
function formatMicrosExact(us: bigint): string {
  const day = floorDiv(us, US_PER_DAY);
  const inDay = us - day * US_PER_DAY;
  const [y, mo, d] = civilFromDays(Number(day));
  const secOfDay = Number(inDay / 1_000_000n);
  const micros = Number(inDay % 1_000_000n);
  const hh = Math.floor(secOfDay / 3600);
  const mm = Math.floor((secOfDay % 3600) / 60);
  const ss = secOfDay % 60;
  return (
    `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}T${pad(hh, 2)}:${pad(mm, 2)}:${pad(ss, 2)}` +
    `${micros === 0 ? "" : `.${pad(micros, 6)}`}+00:00`
  );
}

/**
 * The instant as the reference's UTC isoformat (`…+00:00`, microseconds truncated like Python's
 * `fromisoformat`), the form text comparisons need; null when malformed. Text already in that
 * layout is returned unchanged.
 */
export function toUtcIsoformat(input: Date | string): string | null {
  if (typeof input === "string" && PY_ISO_UTC.test(input)) return parseIso(input) === null ? null : input;
  const ns = toEpochNanos(input);
  if (ns === null) return null;
  const us = floorDiv(ns, 1000n);
  // Outside years 0001–9999 there is no isoformat (Python raises OverflowError).
  if (us < -62_135_596_800_000_000n || us > 253_402_300_799_999_999n) return null;
  return formatMicrosExact(us);
}

// The date-time part changes once a second; formatting it is most of the cost, so keep the last one.
let cachedSecond = Number.NaN;
let cachedBase = "";

/** Formats epoch microseconds as a UTC Python isoformat string (the kernel's hot path). */
export function formatMicros(epochMicros: number): string {
  const us = ((epochMicros % 1_000_000) + 1_000_000) % 1_000_000;
  const second = (epochMicros - us) / 1_000_000;
  if (second !== cachedSecond) {
    cachedBase = formatMicrosExact(BigInt(second) * 1_000_000n).slice(0, 19);
    cachedSecond = second;
  }
  return `${cachedBase}${us === 0 ? "" : `.${pad(us, 6)}`}+00:00`;
}

const ORIGIN_US = Math.round(performance.timeOrigin * 1000);

/** Current UTC time in epoch microseconds (sub-millisecond part from the monotonic clock). */
export function nowMicros(): number {
  return ORIGIN_US + Math.round(performance.now() * 1000);
}

/** The current time as UTC isoformat. */
export function nowIso(): string {
  return formatMicros(nowMicros());
}

/** A Date as UTC isoformat. */
export function isoformat(date: Date): string {
  return formatMicros(date.getTime() * 1000);
}

/** `datetime.fromisoformat(text).isoformat()`: the same instant and offset in canonical layout; null when malformed. */
export function normalizeIsoformat(text: string): string | null {
  const p = parseIso(text);
  if (p === null) return null;
  const local = formatMicrosExact(BigInt(p.localMicros)).slice(0, -6);
  if (p.offsetSeconds === null) return local;
  const off = Math.abs(p.offsetSeconds);
  const sign = p.offsetSeconds < 0 ? "-" : "+";
  const ss = off % 60;
  return `${local}${sign}${pad(Math.floor(off / 3600), 2)}:${pad(Math.floor((off % 3600) / 60), 2)}${ss === 0 ? "" : `:${pad(ss, 2)}`}`;
}

/** Epoch milliseconds, truncated toward minus infinity (exact integer arithmetic); null when malformed. */
export function isoToEpochMillis(text: string): number | null {
  const p = parseIso(text);
  return p === null ? null : Number(floorDiv(p.epochNanos, 1_000_000n));
}

/**
 * weaver-kernel's `int(invoked_at.timestamp() * 1000)`: the same IEEE-754 operations in the same
 * order (correctly rounded µs/1e6, times 1000, truncation), so edge cases round as Python does.
 */
export function pythonTimestampMillis(text: string): number | null {
  const p = parseIso(text);
  return p === null ? null : Math.trunc((p.epochMicros / 1e6) * 1000);
}

/** OTel's `[seconds, nanoseconds]`. */
export type HrTime = readonly [number, number];

/** HrTime to integer nanoseconds as a decimal string, never through a float (seconds·1e9 exceeds 2^53). */
export function hrTimeToNanos(time: HrTime): string {
  const seconds = time[0];
  const nanos = time[1];
  if (
    Number.isSafeInteger(seconds) &&
    Number.isSafeInteger(nanos) &&
    seconds > 0 &&
    nanos >= 0 &&
    nanos < 1e9
  ) {
    return String(seconds) + String(nanos).padStart(9, "0");
  }
  // Zero, negative or out-of-range parts (hand-built HrTimes, clamped durations): normalize exactly.
  const s = BigInt(Math.trunc(Number.isFinite(seconds) ? seconds : 0));
  const n = BigInt(Math.trunc(Number.isFinite(nanos) ? nanos : 0));
  return (s * 1_000_000_000n + n).toString();
}

/** HrTime to epoch milliseconds, truncated. */
export function hrTimeToMillis(t: HrTime): number {
  return t[0] * 1000 + Math.floor(t[1] / 1e6);
}
