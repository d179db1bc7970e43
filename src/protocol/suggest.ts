/**
 * "Did you mean": the nearest known name to a misspelled one, for the messages of refused
 * option keys, filter keys and CLI flags. One helper, so every refusal suggests alike.
 */

/**
 * The candidate nearest to `word` by Levenshtein distance (case ignored), when it is at most 2
 * edits away and at most half the word's length (so `id` suggests nothing for `on`).
 *
 * @example `closest('tokn', ['token', 'auth']) // 'token'`
 */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const lower = word.toLowerCase();
  let best: string | undefined;
  let bound = Math.min(2, lower.length >> 1) + 1;
  for (const candidate of candidates) {
    const d = distance(lower, candidate.toLowerCase(), bound);
    if (d < bound) {
      best = candidate;
      bound = d;
    }
  }
  return best;
}

/** Levenshtein distance of `a` and `b`, or `bound` when it is at least `bound` (long inputs cost nothing). */
function distance(a: string, b: string, bound: number): number {
  if (Math.abs(a.length - b.length) >= bound) return bound;
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++)
      next[j] = Math.min(
        (row[j] as number) + 1,
        (next[j - 1] as number) + 1,
        (row[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    row = next;
  }
  return row[b.length] as number;
}
