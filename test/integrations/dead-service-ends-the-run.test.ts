/**
 * onServiceExit: 'end-run' (the default): when a service dies during the tests — here the server under
 * `node --watch`, whose wrapper lives on — the run ends at once, non-zero, with the reason, instead of
 * every remaining test failing on connection refused. Through Vitest, Playwright and `cleanroom run`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { PLAYWRIGHT_BIN, VITEST_BIN } from '../helpers/cases.js';
import { freePort, processesOfRunner, portFreesWithin, survivors, type Proc } from '../helpers/os.js';
import { SERVICE } from '../helpers/spawn.js';
import { shellStatus, startRunner, type Runner } from '../helpers/runner.js';
import { portHolders } from '../../src/os/process-table.js';

let runner: Runner | undefined;
afterEach(() => runner?.kill());

async function project(name: string, onServiceExit?: 'continue'): Promise<{ dir: string; port: number }> {
  const dir = join(inject('consumerDir'), 'cases', `${name}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  writeFileSync(
    join(dir, 'cleanroom.config.mjs'),
    `export default { ${onServiceExit ? `onServiceExit: '${onServiceExit}', ` : ''}services: { api: { command: ${JSON.stringify([process.execPath, '--watch', SERVICE])}, port: ${port}, env: { PORT: '${port}' } } } };\n`,
  );
  return { dir, port };
}

/** The server under node --watch: the runner's process holding the port that is not the wrapper. Killing it is this test's own fixture. */
async function killServer(r: Runner, port: number): Promise<Proc[]> {
  const seen = processesOfRunner(r.pid);
  const ours = new Set(seen.map((p) => p.pid));
  const holder = (portHolders(port) ?? []).find((pid) => ours.has(pid));
  expect(holder, `no server of this run holds :${port}; output:\n${r.output()}`).toBeDefined();
  process.kill(holder!, 'SIGKILL');
  return seen;
}

/** Five tests that each need the api; the first waits (up to 20 s) until the api is gone. */
const TESTS = (api: string) => `
  test('t1', async () => {
    console.log('TEST RUNNING');
    for (let i = 0; i < 200; i++) { try { await fetch(${api}); } catch { break; } await new Promise((r) => setTimeout(r, 100)); }
    const r = await fetch(${api});
    expect(r.ok).toBe(true);
  });
  for (const n of [2, 3, 4, 5]) test('t' + n, async () => { await new Promise((r) => setTimeout(r, 3000)); expect((await fetch(${api})).ok).toBe(true); });
`;

describe('a dead service ends the run', () => {
  it('Vitest: no further test starts, exit 1, the reason printed', async () => {
    const { dir, port } = await project('end-vitest');
    writeFileSync(join(dir, 'vitest.config.mjs'), `export default { test: { globalSetup: ['cleanroom-e2e/vitest'], include: ['*.test.mjs'], testTimeout: 60000, pool: 'forks', fileParallelism: false, sequence: { concurrent: false } } };\n`);
    writeFileSync(join(dir, 'a.test.mjs'), `import { test, expect, inject } from 'vitest';\n${TESTS("inject('cleanroom').api.url")}`);
    runner = startRunner(process.execPath, [VITEST_BIN, 'run'], { cwd: dir });
    await runner.waitFor(/TEST RUNNING/);
    const seen = await killServer(runner, port);
    const t0 = performance.now();
    const exit = await runner.exited;
    expect(shellStatus(exit), runner.output()).not.toBe(0);
    // t2..t5 would take 12 s and fail one by one; the run ends long before.
    expect(performance.now() - t0).toBeLessThan(9000);
    expect(runner.output()).toContain(`service "api" stopped answering on :${port}`);
    expect(runner.output()).not.toMatch(/✓ t2|× t2.*fetch failed/);
    expect(await survivors(seen)).toEqual([]);
    expect(await portFreesWithin(port)).toBe(true);
  });

  it('Playwright: the run is interrupted at once, exit non-zero, the reason printed', async () => {
    const { dir, port } = await project('end-pw');
    writeFileSync(join(dir, 'playwright.config.mjs'), `export default { testDir: '.', testMatch: /.*\\.spec\\.mjs$/, globalSetup: 'cleanroom-e2e/playwright', workers: 1, reporter: 'line', timeout: 60000 };\n`);
    writeFileSync(join(dir, 'a.spec.mjs'), `import { test, expect } from '@playwright/test';\n${TESTS('process.env.CLEANROOM_API_URL')}`);
    runner = startRunner(process.execPath, [PLAYWRIGHT_BIN, 'test'], { cwd: dir });
    await runner.waitFor(/TEST RUNNING/);
    const seen = await killServer(runner, port);
    const t0 = performance.now();
    const exit = await runner.exited;
    expect(shellStatus(exit), runner.output()).not.toBe(0);
    expect(performance.now() - t0).toBeLessThan(9000);
    expect(runner.output()).toContain(`service "api" stopped answering on :${port}`);
    expect(await survivors(seen)).toEqual([]);
    expect(await portFreesWithin(port)).toBe(true);
  });

  it('cleanroom run: the command is stopped, exit 1, the reason printed; with onServiceExit: continue it runs on', async () => {
    for (const mode of ['end-run', 'continue'] as const) {
      const { dir, port } = await project(`end-cli-${mode}`, mode === 'continue' ? 'continue' : undefined);
      runner = startRunner(join(inject('consumerDir'), 'node_modules/.bin/cleanroom'), ['run', '--', process.execPath, '-e', "console.log('TEST RUNNING'); setTimeout(() => process.exit(0), 6000)"], { cwd: dir });
      await runner.waitFor(/TEST RUNNING/);
      const seen = await killServer(runner, port);
      const t0 = performance.now();
      const exit = await runner.exited;
      expect(shellStatus(exit), runner.output()).toBe(1);
      expect(runner.output()).toContain(`service "api" stopped answering on :${port}`);
      if (mode === 'end-run') expect(performance.now() - t0).toBeLessThan(4500);
      else expect(performance.now() - t0, 'continue: the command ran to its own end').toBeGreaterThan(3000);
      expect(await survivors(seen)).toEqual([]);
      await sleep(10);
    }
  });
});
