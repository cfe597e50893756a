import type { ServiceOutput } from '../spawn/output.js';
import type { ReadyProbe } from './probe.js';

/** Ready when a line of the service's output matches `pattern` (lines printed before count too). */
export function logProbe(pattern: RegExp, output: ServiceOutput): ReadyProbe {
  const test = (line: string) => {
    pattern.lastIndex = 0; // a /g or /y pattern keeps state between calls
    return pattern.test(line);
  };
  let seen = output.kept().some(test);
  let wake: (() => void) | undefined;
  const off = output.onLine((line) => {
    if (!seen && test(line)) {
      seen = true;
      wake?.();
    }
  });
  return {
    describe: `a log line matching ${pattern}`,
    attempt: async () => (seen ? { ok: true } : { ok: false, detail: 'no matching line yet' }),
    changed: () => (seen ? Promise.resolve() : new Promise<void>((resolve) => (wake = resolve))),
    dispose: off,
  };
}
