import type { ReadyProbe } from './probe.js';

/** Ready when the user's function resolves true. A throw counts as "not yet", with its message kept. */
export function checkProbe(fn: () => Promise<boolean> | boolean): ReadyProbe {
  return {
    describe: 'the ready.check() function',
    async attempt() {
      try {
        return (await fn()) ? { ok: true } : { ok: false, detail: 'check() returned false' };
      } catch (e) {
        return { ok: false, detail: `check() threw: ${(e as Error).message}` };
      }
    },
  };
}
