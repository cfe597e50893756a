/**
 * Every ending prints one true line. Ctrl+C while the services start is an interruption, not a broken
 * service; after a signal, the summary counts the processes that were stopped (a guard may have ended
 * them a moment before teardown looked), and a runner that dies of SIGTERM still prints it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { makeCase, PLAYWRIGHT_BIN, VITEST_BIN, writePlaywrightSuite, writeVitestSuite } from '../helpers/cases.js';
import { expectNothingLeft, snapshotRun } from '../helpers/assert-clean.js';
import { processesOfRunner } from '../helpers/os.js';
import { shellStatus, startRunner, type Runner } from '../helpers/runner.js';

let runner: Runner | undefined;
afterEach(() => runner?.kill());

/** The count in "stopped 2 services (N processes)". */
function stoppedProcesses(out: string, signal: string): number {
  const m = new RegExp(`interrupted by ${signal}: stopped 2 services \\((\\d+) process`).exec(out);
  expect(m, `no summary line after ${signal}; output:\n${out}`).not.toBeNull();
  return Number(m![1]);
}

describe('interrupted runs say so', () => {
  it('Playwright, Ctrl+C while a service is still starting: "interrupted by SIGINT", no service blamed, nothing left', async () => {
    const c = await makeCase(inject('consumerDir'), 'pw-int-start', { apiEnv: { READY_DELAY_MS: '20000' } });
    writePlaywrightSuite(c);
    runner = startRunner(process.execPath, [PLAYWRIGHT_BIN, 'test'], { cwd: c.dir });
    const deadline = performance.now() + 30_000;
    while (processesOfRunner(runner.pid).length === 0 && performance.now() < deadline) await sleep(20);
    const seen = snapshotRun(runner, c);
    await sleep(300);
    runner.signalGroup('SIGINT');
    const exit = await runner.exited;
    expect(shellStatus(exit)).not.toBe(0);
    expect(runner.output()).toContain('interrupted by SIGINT while the services were starting');
    expect(runner.output()).not.toMatch(/before it was ready/);
    await expectNothingLeft(runner, seen, [c.apiPort, c.webPort]);
  });

  it('Playwright, SIGTERM mid-test (it has no handler): the summary is printed before it dies, with the processes counted', async () => {
    const c = await makeCase(inject('consumerDir'), 'pw-term-summary');
    writePlaywrightSuite(c);
    runner = startRunner(process.execPath, [PLAYWRIGHT_BIN, 'test'], { cwd: c.dir, env: { HANG_MS: '8000' } });
    await runner.waitFor(/TEST RUNNING/);
    const seen = snapshotRun(runner, c);
    runner.signal('SIGTERM');
    expect(shellStatus(await runner.exited)).toBe(143);
    expect(stoppedProcesses(runner.output(), 'SIGTERM')).toBeGreaterThan(0);
    await expectNothingLeft(runner, seen, [c.apiPort, c.webPort]);
  });

  it('Vitest, Ctrl+C mid-test: one summary line that counts the processes stopped', async () => {
    const c = await makeCase(inject('consumerDir'), 'vt-int-summary');
    writeVitestSuite(c);
    runner = startRunner(process.execPath, [VITEST_BIN, 'run'], { cwd: c.dir, env: { HANG_MS: '8000' } });
    await runner.waitFor(/TEST RUNNING/);
    const seen = snapshotRun(runner, c);
    runner.signalGroup('SIGINT');
    expect(shellStatus(await runner.exited)).toBe(130);
    expect(stoppedProcesses(runner.output(), 'SIGINT')).toBeGreaterThan(0);
    expect(runner.output().match(/stopped 2 services/g)?.length, 'exactly one summary line').toBe(1);
    await expectNothingLeft(runner, seen, [c.apiPort, c.webPort]);
  });
});
