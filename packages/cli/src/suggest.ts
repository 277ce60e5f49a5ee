// "Did you mean …?" for mistyped commands and flags: the closest known name by edit distance
// (adjacent transpositions count as one edit, so `lsit` → `list`), when it is close enough to be
// a typo rather than a different word.

/** Optimal-string-alignment distance: insertions, deletions, substitutions, adjacent swaps. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => {
    const row = new Array<number>(cols).fill(0);
    row[0] = i;
    return row;
  });
  for (let j = 0; j < cols; j++) (d[0] as number[])[j] = j;
  for (let i = 1; i < rows; i++) {
    const row = d[i] as number[];
    const prev = d[i - 1] as number[];
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        v = Math.min(v, ((d[i - 2] as number[])[j - 2] as number) + 1);
      }
      row[j] = v;
    }
  }
  return (d[rows - 1] as number[])[cols - 1] as number;
}

/** The known name closest to `input`, if within a third of its length (at least 1, at most 3 edits). */
export function closest(input: string, known: readonly string[]): string | undefined {
  const limit = Math.min(3, Math.max(1, Math.floor(input.length / 3)));
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const name of known) {
    const dist = editDistance(input.toLowerCase(), name.toLowerCase());
    if (dist < bestDistance) {
      best = name;
      bestDistance = dist;
    }
  }
  return bestDistance <= limit ? best : undefined;
}

/** `; did you mean 'X'?` or "" — to append to an "unknown …" message. */
export function didYouMean(
  input: string,
  known: readonly string[],
  render: (name: string) => string = (n) => n,
): string {
  const hit = closest(input, known);
  return hit === undefined ? "" : `; did you mean '${render(hit)}'?`;
}
