/** "did you mean …?" for a near miss among known names. leven: small, maintained, no dependencies. */
import leven from 'leven';

/**
 * The candidate closest to `word`, if it is a near miss: at most a quarter of its letters differ
 * (at least one, at most three), ignoring case (a third suggested SIGFPE for SIGNOPE). A word far from all of them gets no suggestion.
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const d = leven(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return bestDistance <= Math.min(3, Math.max(1, Math.floor(word.length / 4))) ? best : undefined;
}

/** `; did you mean "command"?`, or '' when nothing is close. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const c = closest(word, candidates);
  return c ? `; did you mean "${c}"?` : '';
}

/** A value as an error message names it: `a number`, `"text"`, `an array`, `null`. */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'an array';
  if (v instanceof RegExp) return `a RegExp ${String(v)}`;
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  if (typeof v === 'number' || typeof v === 'boolean') return `${typeof v} ${String(v)}`;
  if (typeof v === 'function') return 'a function';
  return `an ${typeof v}`;
}
