// Timestamp conversions with no clock and no floating-point drift: ISO-8601 (the kernel's
// Python-`isoformat()` layout) to epoch milliseconds/microseconds, and OTel HrTime to ms.
import { OcsfMappingError } from "./errors.js";

const ISO = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|z|[+-]\d{2}:\d{2})?$/;

/** Epoch microseconds of an ISO-8601 timestamp; no offset means UTC (weaver-kernel semantics). */
export function isoToEpochMicros(iso: string): number {
  const m = ISO.exec(iso);
  if (m === null)
    throw new OcsfMappingError(`invokedAt is not an ISO-8601 timestamp: ${JSON.stringify(iso)}`);
  const [, y, mo, d, h, mi, s, frac = "", zone] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (Number.isNaN(ms)) throw new OcsfMappingError(`invokedAt is not a valid date: ${JSON.stringify(iso)}`);
  const micros = Number(frac.padEnd(6, "0").slice(0, 6));
  let offsetMinutes = 0;
  if (zone !== undefined && zone !== "Z" && zone !== "z") {
    const sign = zone.startsWith("-") ? -1 : 1;
    offsetMinutes = sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  }
  return (ms - offsetMinutes * 60_000) * 1000 + micros;
}

/** Epoch milliseconds, truncated (exact integer arithmetic). */
export function isoToEpochMillis(iso: string): number {
  return Math.floor(isoToEpochMicros(iso) / 1000);
}

/**
 * weaver-kernel's `int(invoked_at.timestamp() * 1000)`: the same IEEE-754 operations in the same
 * order (correctly rounded µs/1e6, times 1000, truncation), so edge cases round as Python does.
 */
export function pythonTimestampMillis(iso: string): number {
  return Math.trunc((isoToEpochMicros(iso) / 1e6) * 1000);
}

export type HrTime = readonly [number, number];

/** OTel HrTime ([seconds, nanos]) to epoch milliseconds, truncated. */
export function hrTimeToMillis(t: HrTime): number {
  return t[0] * 1000 + Math.floor(t[1] / 1e6);
}
