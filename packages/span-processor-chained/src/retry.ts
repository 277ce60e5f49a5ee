// Backoff state after a failed append: exponential from a first delay up to a bound, reset by
// the next success. Time is performance.now() (monotonic), so a wall-clock step never stalls it.

const FIRST_RETRY_DELAY_MS = 50;

/** When the processor may try the store again after a failure. */
export class RetryBackoff {
  readonly #maxDelayMs: number;
  #delayMs = 0;
  #retryAt = 0; // performance.now() before which no append is attempted after a failure

  constructor(maxDelayMs: number) {
    this.#maxDelayMs = maxDelayMs;
  }

  /** Records a failed attempt; returns the delay in ms before the next one. */
  failed(): number {
    this.#delayMs = Math.min(this.#maxDelayMs, Math.max(FIRST_RETRY_DELAY_MS, this.#delayMs * 2));
    this.#retryAt = performance.now() + this.#delayMs;
    return this.#delayMs;
  }

  /** Records a success: the next failure starts again from the first delay. */
  succeeded(): void {
    this.#delayMs = 0;
    this.#retryAt = 0;
  }

  /** Lifts the current wait (a last synchronous attempt), keeping the backoff level. */
  allowNow(): void {
    this.#retryAt = 0;
  }

  /** Whether an attempt is allowed now. */
  ready(): boolean {
    return performance.now() >= this.#retryAt;
  }

  /** Milliseconds until an attempt is allowed (zero or less: now). */
  waitMs(): number {
    return this.#retryAt - performance.now();
  }
}
