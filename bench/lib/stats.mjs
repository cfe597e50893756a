/** Medians, p90s and the clock the fixtures share (wall clock with sub-ms resolution). */
export const now = () => performance.timeOrigin + performance.now();

export function summarize(samples) {
  const s = [...samples].filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return { n: 0, median: Number.NaN, p90: Number.NaN, min: Number.NaN, max: Number.NaN };
  const at = (q) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
  const median = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  return { n: s.length, median, p90: at(0.9), min: s[0], max: s[s.length - 1] };
}

/** Pairwise ratios a[i]/b[i] of interleaved rounds, summarized. */
export function ratios(a, b) {
  return summarize(a.map((x, i) => x / b[i]));
}
