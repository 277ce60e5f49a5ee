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

  /** True when one more call fits in the window. Does not record it. */
  check(key: string, limit: number, windowS: number): boolean {
    const stamps = this.#windows.get(key);
    if (stamps === undefined) return true;
    const cutoff = this.#clock() - windowS;
    let drop = 0;
    while (drop < stamps.length && (stamps[drop] ?? 0) <= cutoff) drop++;
    if (drop > 0) stamps.splice(0, drop);
    if (stamps.length === 0) {
      this.#windows.delete(key);
      return true;
    }
    return stamps.length < limit;
  }

  record(key: string): void {
    const stamps = this.#windows.get(key);
    if (stamps === undefined) this.#windows.set(key, [this.#clock()]);
    else stamps.push(this.#clock());
  }
}
