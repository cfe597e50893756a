/**
 * The watchdog's own life: it never keeps the runner alive, exits by itself after a clean stop,
 * ignores the terminal's SIGINT/SIGHUP, and after a `kill -9` escalates to SIGKILL for services that
 * ignore SIGTERM once their stopTimeout has passed.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { makeCase, writeApiScript } from '../helpers/cases.js';
import { expectNothingLeft, snapshotRun } from '../helpers/assert-clean.js';
import { isAlive, survivors, type Proc } from '../helpers/os.js';
import { shellStatus, startRunner, type Runner } from '../helpers/runner.js';

let runner: Runner | undefined;
let stateDir: string | undefined;
afterEach(() => {
  runner?.kill();
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
});

/** The watchdog's pid and start time, from the run's ledger record. */
async function watchdogOf(dir: string): Promise<Proc> {
  for (let i = 0; i < 200; i++) {
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
      const rec = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { watchdog?: Proc };
      if (rec.watchdog) return rec.watchdog;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('no watchdog in the ledger');
}

describe('watchdog', () => {
  it('ignores SIGINT/SIGHUP, does not keep the runner alive, and exits by itself after a clean stop', async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'cleanroom-state-'));
    const c = await makeCase(inject('consumerDir'), 'wd-clean');
    runner = startRunner(process.execPath, [writeApiScript(c)], { cwd: c.dir, env: { MODE: 'using', CLEANROOM_STATE_DIR: stateDir } });
    await runner.waitFor(/TEST RUNNING/);
    const wd = await watchdogOf(stateDir);
    expect(isAlive(wd)).toBe(true);
    // The terminal's signals are the runner's to handle (it is in its own session, but make sure).
    process.kill(wd.pid, 'SIGINT');
    process.kill(wd.pid, 'SIGHUP');
    await new Promise((r) => setTimeout(r, 100));
    expect(isAlive(wd)).toBe(true);
    // The script ends on its own (exit 0): the watchdog's pipe did not hold it.
    expect(shellStatus(await runner.exited)).toBe(0);
    expect(await survivors([wd], 2000), 'the watchdog outlived a clean stop').toEqual([]);
  });

  it('after kill -9, services that ignore SIGTERM get SIGKILL once their stopTimeout has passed', async () => {
    const c = await makeCase(inject('consumerDir'), 'wd-escalate', { apiEnv: { IGNORE_SIGTERM: '1' }, serviceExtra: { stopTimeout: 500 } });
    runner = startRunner(process.execPath, [writeApiScript(c)], { cwd: c.dir, env: { MODE: 'wait' } });
    await runner.waitFor(/TEST RUNNING/);
    const seen = snapshotRun(runner, c);
    const t0 = performance.now();
    runner.signal('SIGKILL');
    await runner.exited;
    await new Promise((r) => setTimeout(r, 250));
    expect(seen.some(isAlive), 'SIGTERM-ignoring processes should still be in their grace period').toBe(true);
    await expectNothingLeft(runner, seen, [c.apiPort, c.webPort]);
    expect(performance.now() - t0).toBeLessThan(3000);
  });
});
