/**
 * A real Playwright runner (API tests, no browser needed) on a small project that installed the
 * packed tarball and uses `globalSetup: 'cleanroom-e2e/playwright'`. Playwright runs teardown on SIGINT
 * but has no SIGTERM handler at all: both must leave nothing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { waitFor } from '../helpers/api.js';
import { makeCase, PLAYWRIGHT_BIN, writePlaywrightSuite, CRASH_FILE, crashNow, type Case } from '../helpers/cases.js';
import { expectNothingLeft, snapshotRun } from '../helpers/assert-clean.js';
import { shellStatus, startRunner, type Runner } from '../helpers/runner.js';

let runner: Runner | undefined;
afterEach(() => runner?.kill());

function runPlaywright(c: Case, env: Record<string, string> = {}): Runner {
  runner = startRunner(process.execPath, [PLAYWRIGHT_BIN, 'test'], { cwd: c.dir, env });
  return runner;
}

describe('playwright globalSetup cleanroom-e2e/playwright', () => {
  it('passes with the URLs in the workers\' env and leaves nothing', async () => {
    const c = await makeCase(inject('consumerDir'), 'pw-pass');
    writePlaywrightSuite(c);
    const r = runPlaywright(c, { HANG_MS: '300' });
    await r.waitFor(/TEST RUNNING/);
    const seen = snapshotRun(r, c);
    expect(shellStatus(await r.exited), r.output()).toBe(0);
    expect(r.output()).toMatch(/1 passed/);
    expect(r.output()).toMatch(/stopped 2 services/);
    await expectNothingLeft(r, seen, [c.apiPort, c.webPort]);
  });

  it('a failing test exits 1 and leaves nothing', async () => {
    const c = await makeCase(inject('consumerDir'), 'pw-fail');
    writePlaywrightSuite(c, { fail: true });
    const r = runPlaywright(c);
    await r.waitFor(/TEST RUNNING/);
    const seen = snapshotRun(r, c);
    expect(shellStatus(await r.exited)).toBe(1);
    await expectNothingLeft(r, seen, [c.apiPort, c.webPort]);
  });

  it('a service crashing during the tests fails the run', async () => {
    const c = await makeCase(inject('consumerDir'), 'pw-crash', { apiEnv: { EXIT_ON_FILE: CRASH_FILE, EXIT_CODE: '9' } });
    writePlaywrightSuite(c);
    const r = runPlaywright(c, { HANG_MS: '3000' });
    await r.waitFor(/TEST RUNNING/);
    const seen = snapshotRun(r, c);
    crashNow(c);
    await r.waitFor(/service "api" exited with code 9 while the tests were running/);
    expect(shellStatus(await r.exited)).not.toBe(0);
    await expectNothingLeft(r, seen, [c.apiPort, c.webPort]);
  });

  it('a service that fails to start: one clear error, non-zero exit, nothing left', async () => {
    const c = await makeCase(inject('consumerDir'), 'pw-startfail', { apiEnv: { EXIT_NOW_CODE: '4' } });
    writePlaywrightSuite(c);
    const r = runPlaywright(c);
    expect(shellStatus(await r.exited)).not.toBe(0);
    expect(r.output()).toMatch(/service "api" exited with code 4 before it was ready/);
    expect(r.output()).not.toMatch(/TEST RUNNING/);
    await expectNothingLeft(r, [], [c.apiPort, c.webPort]);
  });

  it('Ctrl+C to the runner\'s group: Playwright still runs teardown, exits 130, nothing left', async () => {
    const c = await makeCase(inject('consumerDir'), 'pw-sigint');
    writePlaywrightSuite(c);
    const r = runPlaywright(c, { HANG_MS: '8000' });
    await r.waitFor(/TEST RUNNING/);
    const seen = snapshotRun(r, c);
    r.signalGroup('SIGINT');
    expect(shellStatus(await r.exited)).toBe(130);
    expect(r.output(), 'teardown did not run').toMatch(/stopped 2 services/);
    await expectNothingLeft(r, seen, [c.apiPort, c.webPort]);
  });

  for (const [how, sig, status] of [
    ['SIGINT to the runner\'s pid', 'SIGINT', 130],
    ['SIGTERM to the runner\'s pid', 'SIGTERM', 143],
    ['SIGTERM to the runner\'s group', 'SIGTERM', 143],
  ] as const) {
    it(`${how}: exit ${status}, nothing left`, async () => {
      const c = await makeCase(inject('consumerDir'), 'pw-signal');
      writePlaywrightSuite(c);
      const r = runPlaywright(c, { HANG_MS: '8000' });
      await r.waitFor(/TEST RUNNING/);
      const seen = snapshotRun(r, c);
      if (how.includes('group')) r.signalGroup(sig);
      else r.signal(sig);
      expect(shellStatus(await r.exited)).toBe(status);
      await expectNothingLeft(r, seen, [c.apiPort, c.webPort]);
    });
  }

  it('Ctrl+C twice, the second once the services got SIGTERM: exit 130, and a service only SIGKILL can end is gone long before its 30 s stopTimeout', async () => {
    // The api ignores SIGTERM, SIGINT and SIGHUP and logs each one it gets: only SIGKILL ends it.
    const c = await makeCase(inject('consumerDir'), 'pw-double', {
      apiEnv: { IGNORE_SIGTERM: 'all', SIGNAL_LOG: 'signals.log' },
      serviceExtra: { stopTimeout: 30_000 },
    });
    writePlaywrightSuite(c);
    const r = runPlaywright(c, { HANG_MS: '20000' });
    await r.waitFor(/TEST RUNNING/);
    const seen = snapshotRun(r, c);
    const t0 = performance.now();
    r.signalGroup('SIGINT');
    // Two back-to-back signals merge in the kernel: the second goes only once the first did its work.
    const log = join(c.dir, 'signals.log');
    await waitFor('the api got SIGTERM', () => existsSync(log) && readFileSync(log, 'utf8').includes('SIGTERM'));
    r.signalGroup('SIGINT');
    const exit = await r.exited;
    expect(shellStatus(exit), r.output()).toBe(130);
    await expectNothingLeft(r, seen, [c.apiPort, c.webPort]);
    expect(performance.now() - t0, 'only SIGKILL ends the api this long before its stopTimeout').toBeLessThan(15_000);
  });
});
