/**
 * The programmatic API with no test runner around it: whoever ends the process (a signal with no
 * other listener, an uncaught exception, process.exit without stop()), the services go with it, and
 * the exit status is what it would have been without cleanroom.
 */
import { afterEach, describe, expect, inject, it } from 'vitest';
import { makeCase, writeApiScript } from '../helpers/cases.js';
import { expectNothingLeft, snapshotRun } from '../helpers/assert-clean.js';
import { shellStatus, startRunner, type Runner } from '../helpers/runner.js';

let runner: Runner | undefined;
afterEach(() => runner?.kill());

async function run(mode: string) {
  const c = await makeCase(inject('consumerDir'), `api-${mode}`);
  const script = writeApiScript(c);
  runner = startRunner(process.execPath, [script], { cwd: c.dir, env: { MODE: mode } });
  await runner.waitFor(/TEST RUNNING/);
  return { c, r: runner, seen: snapshotRun(runner, c) };
}

describe('programmatic start() guards', () => {
  for (const [sig, status] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const) {
    it(`${sig} with no other listener: services stopped, then the signal's default exit (${status})`, async () => {
      const { c, r, seen } = await run('wait');
      r.signal(sig);
      const exit = await r.exited;
      expect(exit.signal).toBe(sig);
      expect(shellStatus(exit)).toBe(status);
      await expectNothingLeft(r, seen, [c.apiPort, c.webPort]);
    });
  }

  it('SIGTERM when another library also listens and defers (signal-exit): still ends with SIGTERM, nothing left', async () => {
    const { c, r, seen } = await run('signal-exit');
    const t0 = performance.now();
    r.signal('SIGTERM');
    const exit = await r.exited;
    expect(exit.signal).toBe('SIGTERM');
    expect(performance.now() - t0).toBeLessThan(3000);
    await expectNothingLeft(r, seen, [c.apiPort, c.webPort]);
  });

  it('the user\'s own SIGINT handler owns the exit: called once, its exit code kept, nothing left', async () => {
    const { c, r, seen } = await run('own-handler');
    r.signal('SIGINT');
    const exit = await r.exited;
    expect(shellStatus(exit)).toBe(42);
    expect(r.output()).toMatch(/HANDLER 1/);
    expect(r.output()).not.toMatch(/HANDLER 2/);
    await expectNothingLeft(r, seen, [c.apiPort, c.webPort]);
  });

  it('an uncaught exception: exit 1, nothing left', async () => {
    const { c, r, seen } = await run('throw');
    expect(shellStatus(await r.exited)).toBe(1);
    expect(r.output()).toMatch(/boom: uncaught/);
    await expectNothingLeft(r, seen, [c.apiPort, c.webPort]);
  });

  it('an unhandled rejection: exit 1, nothing left', async () => {
    const { c, r, seen } = await run('reject');
    expect(shellStatus(await r.exited)).toBe(1);
    await expectNothingLeft(r, seen, [c.apiPort, c.webPort]);
  });

  it('process.exit(0) without stop(): exit 0, nothing left', async () => {
    const { c, r, seen } = await run('exit');
    expect(shellStatus(await r.exited)).toBe(0);
    await expectNothingLeft(r, seen, [c.apiPort, c.webPort]);
  });

  it('await using: stopped at scope exit, exit 0', async () => {
    const { c, r, seen } = await run('using');
    expect(shellStatus(await r.exited)).toBe(0);
    expect(r.output()).toMatch(/stopped 2 services/);
    await expectNothingLeft(r, seen, [c.apiPort, c.webPort]);
  });
});
