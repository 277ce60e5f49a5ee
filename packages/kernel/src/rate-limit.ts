// Sliding-window rate limiter keyed by "principal:capability" (reference `rate_limit.py`).

import type { SafetyClass } from "./trace.js";

/** [invocations, window seconds] per safety class. */
export type RateLimits = Record<SafetyClass, readonly [number, number]>;

export const DEFAULT_RATE_LIMITS: Readonly<RateLimits> = {
  READ: [60, 60],
  WRITE: [10, 60],
  DESTRUCTIVE: [2, 60],
};

/** Principals with role `service` get this multiple of the limit. */
export const SERVICE_RATE_MULTIPLIER = 10;

export class RateLimiter {
  readonly #windows = new Map<string, number[]>();
  readonly #clock: () => number;

  /** `clock` returns seconds (monotonic). */
  constructor(clock: () => number = () => performance.now() / 1000) {
    this.#clock = clock;
  }

  /** The limiter's clock, in seconds. */
  now(): number {
    return this.#clock();
  }

  /**
   * True when one more call fits in the window. Does not record it. `now` pins the clock value
   * (decision capture reads the clock once and evaluates at exactly that value).
   */
  check(key: string, limit: number, windowS: number, now: number = this.#clock()): boolean {
    const stamps = this.#windows.get(key);
    if (stamps === undefined) return true;
    const cutoff = now - windowS;
    let drop = 0;
    while (drop < stamps.length && (stamps[drop] ?? 0) <= cutoff) drop++;
    if (drop > 0) stamps.splice(0, drop);
    if (stamps.length === 0) {
      this.#windows.delete(key);
      return true;
    }
    return stamps.length < limit;
  }

  record(key: string, now: number = this.#clock()): void {
    const stamps = this.#windows.get(key);
    if (stamps === undefined) this.#windows.set(key, [now]);
    else stamps.push(now);
  }

  /** The stamps `check(key, _, windowS, now)` would count, oldest first. No side effects. */
  peek(key: string, windowS: number, now: number): number[] {
    const stamps = this.#windows.get(key);
    if (stamps === undefined) return [];
    const cutoff = now - windowS;
    return stamps.filter((t) => t > cutoff);
  }
}

/** Pure sliding-window check over a recorded window: what `check` answers for these stamps. */
export function fitsWindow(stamps: readonly number[], limit: number, windowS: number, now: number): boolean {
  const cutoff = now - windowS;
  let live = 0;
  for (const t of stamps) if (t > cutoff) live++;
  return live < limit;
}
