// A progress bar on stderr for long operations, drawn only when stderr is a terminal and the
// work is large enough to be worth watching; redraws are throttled so drawing never dominates.
import type { Output } from "./output.js";

export interface Progress {
  update(done: number, total: number): void;
  finish(): void;
}

const NONE: Progress = { update: () => {}, finish: () => {} };

export function progressBar(
  o: Output,
  label: string,
  minTotal = 10_000,
  now: () => number = Date.now,
): Progress {
  if (!o.errIsTTY) return NONE;
  let last = 0;
  let drawn = false;
  return {
    update(done, total) {
      if (total < minTotal) return;
      const t = now();
      if (t - last < 80 && done < total) return;
      last = t;
      const width = 30;
      const frac = total === 0 ? 1 : Math.min(1, done / total);
      const full = Math.round(frac * width);
      const bar = "█".repeat(full) + "░".repeat(width - full);
      o.err(`\r${label} ${bar} ${(frac * 100).toFixed(0).padStart(3)}% ${done}/${total}`);
      drawn = true;
    },
    finish() {
      if (drawn) o.err("\r\u001b[2K");
    },
  };
}
