import type { ServiceOutput } from '../spawn/output.js';
import type { Captured, ReadyProbe } from './probe.js';

/** What the named groups `url` and `port` of a match say, if any. */
function capture(m: RegExpExecArray): Captured | undefined {
  const url = m.groups?.url;
  const port = m.groups?.port !== undefined ? Number(m.groups.port) : undefined;
  if (url === undefined && port === undefined) return undefined;
  return { ...(url !== undefined && { url }), ...(port !== undefined && Number.isInteger(port) && { port }) };
}

/**
 * Ready when a line of the service's output matches `pattern` (lines printed before count too).
 * Named groups `url` or `port` (`/listening on (?<url>http:\S+)/`) hand the port or URL the server
 * chose over to the tests.
 */
export function logProbe(pattern: RegExp, output: ServiceOutput): ReadyProbe {
  let match: RegExpExecArray | null = null;
  const test = (line: string) => {
    pattern.lastIndex = 0; // a /g or /y pattern keeps state between calls
    match ??= pattern.exec(line);
  };
  for (const line of output.kept()) test(line);
  let wake: (() => void) | undefined;
  const off = output.onLine((line) => {
    test(line);
    if (match) wake?.();
  });
  return {
    describe: `a log line matching ${pattern}`,
    attempt: async () => {
      if (!match) return { ok: false, detail: 'no matching line yet' };
      const captured = capture(match);
      return { ok: true, ...(captured && { captured }) };
    },
    // The wait loop backs off; a matching line ends the wait at once.
    changed: () => (match ? Promise.resolve() : new Promise<void>((resolve) => (wake = resolve))),
    dispose: off,
  };
}
