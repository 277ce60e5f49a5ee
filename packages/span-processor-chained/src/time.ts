// HrTime ([seconds, nanoseconds]) to integer nanoseconds as a decimal string, without ever
// forming a float: seconds*1e9 overflows 2^53 for current epochs, so digits are concatenated.

import type { HrTime } from "@opentelemetry/api";

const NANOS_PER_SECOND = 1_000_000_000;

/** `[1700000000, 5]` → `"1700000000000000005"`. Non-canonical inputs are normalized with BigInt. */
export function hrTimeToNanos(time: HrTime): string {
  const seconds = time[0];
  const nanos = time[1];
  if (
    Number.isSafeInteger(seconds) &&
    Number.isSafeInteger(nanos) &&
    seconds > 0 &&
    nanos >= 0 &&
    nanos < NANOS_PER_SECOND
  ) {
    return String(seconds) + String(nanos).padStart(9, "0");
  }
  return slowHrTimeToNanos(seconds, nanos);
}

// Zero, negative or out-of-range parts (hand-built HrTimes, clamped durations) take this path.
function slowHrTimeToNanos(seconds: number, nanos: number): string {
  const s = BigInt(Math.trunc(Number.isFinite(seconds) ? seconds : 0));
  const n = BigInt(Math.trunc(Number.isFinite(nanos) ? nanos : 0));
  return (s * 1_000_000_000n + n).toString();
}
