/**
 * A real Vitest (the repo's), running a small project that installed the packed tarball and uses
 * `globalSetup: ['cleanroom-e2e/vitest']`: every way the run ends leaves no process and no port.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { waitFor } from '../helpers/api.js';
import { makeCase, VITEST_BIN, writeVitestSuite, CRASH_FILE, crashNow, type Case } from '../helpers/cases.js';
import { expectNothingLeft, snapshotRun } from '../helpers/assert-clean.js';
import { isAlive, proc } from '../helpers/os.js';
import { shellStatus, startRunner, type Runner } from '../helpers/runner.js';

let runner: Runner | undefined;
afterEach(() => runner?.kill()); // only the group this test created; a no-op when it ended cleanly

async function runVitest(c: Case, env: Record<string, string> = {}): Promise<Runner> {
  runner = startRunner(process.execPath, [VITEST_BIN, 'run'], { cwd: c.dir, env });
  return runner;
}

describe('vitest globalSetup cleanroom-e2e/vitest', () => {
  it('passes, provides the services, and leaves nothing', async () => {
    const c = await makeCase(inject('consumerDir'), 'vitest-pass');
    writeVitestSuite(c);
    const r = await runVitest(c, { HANG_MS: '300' });
    await r.waitFor(/TEST RUNNING/);
    const seen = snapshotRun(r, c);
    const exit = await r.exited;
    expect(shellStatus(exit), r.output()).toBe(0);
    expect(r.output()).toMatch(/api ready on :\d+ in \d+/);
    expect(r.output()).toMatch(/stopped 2 services \(\d+ processes\)/);
    await expectNothingLeft(r, seen, [c.apiPort, c.webPort]);
  });

  it('a failing test exits 1 and leaves nothing', async () => {
    const c = await makeCase(inject('consumerDir'), 'vitest-fail');
    writeVitestSuite(c, { fail: true });
    const r = await runVitest(c, { HANG_MS: '300' });
    await r.waitFor(/TEST RUNNING/);
    const seen = snapshotRun(r, c);
    expect(shellStatus(await r.exited)).toBe(1);
    await expectNothingLeft(r, seen, [c.apiPort, c.webPort]);
  });

  it('a service crashing during the tests is reported and fails the run', async () => {
    const c = await makeCase(inject('consumerDir'), 'vitest-crash', { apiEnv: { EXIT_ON_FILE: CRASH_FILE, EXIT_CODE: '9' } });
    writeVitestSuite(c);
    const r = await runVitest(c, { HANG_MS: '3000' });
    await r.waitFor(/TEST RUNNING/);
    const seen = snapshotRun(r, c);
    crashNow(c);
    await r.waitFor(/service "api" exited with code 9 while the tests were running/);
    expect(shellStatus(await r.exited)).not.toBe(0);
    expect(r.output()).toMatch(/crashing now/);
    await expectNothingLeft(r, seen, [c.apiPort, c.webPort]);
  });

  it('a service that fails to start: one clear error, non-zero exit, nothing left', async () => {
    const c = await makeCase(inject('consumerDir'), 'vitest-startfail', { apiEnv: { EXIT_NOW_CODE: '4' } });
    writeVitestSuite(c);
    const r = await runVitest(c);
    expect(shellStatus(await r.exited)).not.toBe(0);
    expect(r.output()).toMatch(/service "api" exited with code 4 before it was ready/);
    expect(r.output()).toMatch(/fatal: something went wrong/);
    expect(r.output()).not.toMatch(/TEST RUNNING/);
    await expectNothingLeft(r, [], [c.apiPort, c.webPort]);
  });

  for (const [how, sig, status] of [
    ['Ctrl+C to the runner\'s group', 'SIGINT', 130],
    ['SIGINT to the runner\'s pid', 'SIGINT', 130],
    ['SIGTERM to the runner\'s pid', 'SIGTERM', 143],
    ['SIGTERM to the runner\'s group', 'SIGTERM', 143],
    ['SIGHUP to the runner\'s pid', 'SIGHUP', 129],
  ] as const) {
    it(`${how} mid-test: exit ${status}, services and the test worker gone`, async () => {
      const c = await makeCase(inject('consumerDir'), 'vitest-signal');
      writeVitestSuite(c);
      const r = await runVitest(c, { HANG_MS: '8000' });
      await r.waitFor(/TEST RUNNING worker=\d+/);
      const worker = proc(Number(/TEST RUNNING worker=(\d+)/.exec(r.output())![1]));
      const seen = snapshotRun(r, c);
      if (how.includes('group')) r.signalGroup(sig);
      else r.signal(sig);
      const exit = await r.exited;
      // SIGHUP: Vitest has no handler of its own; cleanroom stops the services and re-raises it (README: 129).
      expect(shellStatus(exit), r.output()).toBe(status);
      await expectNothingLeft(r, seen, [c.apiPort, c.webPort]);
      // The worker was 8 s into its test; the run is over, so it must be gone now too.
      await new Promise((res) => setTimeout(res, 500));
      expect(isAlive(worker), 'vitest worker still running its test').toBe(false);
    });
  }

  it('Ctrl+C twice: exit 130; the second SIGKILLs at once if Vitest is still there, else the watchdog SIGKILLs once the stopTimeout has passed; nothing left', async () => {
    // Vitest calls process.exit() soon after the first SIGINT. If the second comes before that, cleanroom's
    // listener SIGKILLs every service at once; if after, it reaches none of cleanroom's processes (the
    // watchdog has a session of its own), and stopTimeout is honoured: the exiting runner hands the
    // service to the watchdog, which SIGKILLs it once its stopTimeout has passed. Both are checked.
    const STOP_TIMEOUT = 4000;
    const c = await makeCase(inject('consumerDir'), 'vitest-double', {
      apiEnv: { IGNORE_SIGTERM: 'all', SIGNAL_LOG: 'signals.log' },
      serviceExtra: { stopTimeout: STOP_TIMEOUT },
    });
    writeVitestSuite(c);
    const r = await runVitest(c, { HANG_MS: '20000' });
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
    const handedOver = /still shutting down, left to the watchdog/.test(r.output());
    if (handedOver) {
      // Not SIGKILLed before its stopTimeout (less a margin for this poll)...
      while (performance.now() - t0 < STOP_TIMEOUT - 500) {
        expect(seen.some(isAlive), `the api was SIGKILLed ${Math.round(performance.now() - t0)} ms in, before its stopTimeout`).toBe(true);
        await new Promise((res) => setTimeout(res, 50));
      }
    } else {
      // The second signal reached Vitest's process: SIGKILL at once, and the summary says so.
      expect(r.output(), 'one summary line, nothing left').toMatch(/interrupted by SIGINT: stopped 2 services \(\d+ processes\); 0 left/);
    }
    await expectNothingLeft(r, seen, [c.apiPort, c.webPort], STOP_TIMEOUT + 5000);
  });
});
