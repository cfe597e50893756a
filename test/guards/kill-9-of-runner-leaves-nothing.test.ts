/**
 * `kill -9` of the runner (the OOM killer, a CI hard timeout): no code of the runner runs, so the
 * watchdog sidecar stops the services. Through every entry point, the runner alone and its whole group.
 */
import { afterEach, describe, expect, inject, it } from 'vitest';
import { join } from 'node:path';
import { makeCase, PLAYWRIGHT_BIN, VITEST_BIN, writeApiScript, writePlaywrightSuite, writeVitestSuite, type Case } from '../helpers/cases.js';
import { expectNothingLeft, snapshotRun } from '../helpers/assert-clean.js';
import { startRunner, type Runner } from '../helpers/runner.js';
import { readFileSync } from 'node:fs';

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

let runner: Runner | undefined;
afterEach(() => runner?.kill());

const entryPoints: Record<string, (c: Case) => Runner> = {
  'start()': (c) => startRunner(process.execPath, [writeApiScript(c)], { cwd: c.dir, env: { MODE: 'wait' } }),
  vitest: (c) => {
    writeVitestSuite(c);
    return startRunner(process.execPath, [VITEST_BIN, 'run'], { cwd: c.dir, env: { HANG_MS: '20000' } });
  },
  playwright: (c) => {
    writePlaywrightSuite(c);
    return startRunner(process.execPath, [PLAYWRIGHT_BIN, 'test'], { cwd: c.dir, env: { HANG_MS: '20000' } });
  },
  'cleanroom run': (c) =>
    startRunner(
      join(inject('consumerDir'), 'node_modules/.bin/cleanroom'),
      ['run', '--', process.execPath, '-e', "console.log('TEST RUNNING'); setInterval(() => {}, 1000)"],
      { cwd: c.dir },
    ),
};

describe('kill -9 of the runner', () => {
  for (const [name, launch] of Object.entries(entryPoints)) {
    for (const target of ['pid', 'group'] as const) {
      it(`${name}: SIGKILL to the runner's ${target} → every process it started (services, Vitest's pool worker) gone, ports free`, async () => {
        const c = await makeCase(inject('consumerDir'), `kill9-${name.replace(/\W/g, '')}`);
        runner = launch(c);
        await runner.waitFor(/TEST RUNNING/);
        const seen = snapshotRun(runner, c);
        if (name === 'vitest') {
          // Its pool worker, running the test, carries the runner's tag too: it must go with the rest.
          const workers = seen.filter((p) => /vitest[/\\]dist[/\\]workers[/\\]/.test(cmdline(p.pid)));
          expect(workers.length, 'the pool worker running the test is among the processes checked').toBeGreaterThan(0);
        }
        if (target === 'pid') runner.signal('SIGKILL');
        else runner.signalGroup('SIGKILL');
        await runner.exited;
        // How fast is bench/kill9-latency.mjs's business (a wall-time bound here flaked on a loaded
        // 2-core machine); this proves that everything goes.
        await expectNothingLeft(runner, seen, [c.apiPort, c.webPort]);
      });
    }
  }
});
