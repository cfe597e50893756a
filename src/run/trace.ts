/**
 * Where a start() spends its time, step by step: `CLEANROOM_TRACE=1` prints one line per step to
 * stderr, with the ms since the first step and since the process started. Off (one boolean test) otherwise. For `npm run bench`
 * investigations and bug reports about a slow start-up.
 */
const on = process.env.CLEANROOM_TRACE === '1';
let t0: number | undefined;

export function trace(step: string): void {
  if (!on) return;
  const now = performance.now();
  t0 ??= now;
  process.stderr.write(`cleanroom trace +${(now - t0).toFixed(1)} ms (${now.toFixed(0)} ms since the process started) ${step}\n`);
}
