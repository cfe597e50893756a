/**
 * Warm reuse through the real runners: after `cleanroom up`, a Vitest run (globalSetup
 * cleanroom-e2e/vitest) and a Playwright run (globalSetup cleanroom-e2e/playwright) of the same
 * project use up's services, pass, and leave them running. The project installed the packed tarball.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import { makeCase, PLAYWRIGHT_BIN, VITEST_BIN, writePlaywrightSuite, writeVitestSuite } from '../helpers/cases.js';
import { killProcs } from '../helpers/api.js';
import { isAlive, portIsFree, proc, survivors } from '../helpers/os.js';
import { shellStatus, startRunner } from '../helpers/runner.js';
import { cli, type StatusJson } from './cli-helpers.js';

describe('warm reuse by Vitest and Playwright', () => {
  it('both runners use the services of `cleanroom up` and leave them running', async () => {
    const c = await makeCase(inject('consumerDir'), 'warm-runners', { apiEnv: { DOUBLE_FORK: '' } });
    writeVitestSuite(c);
    writePlaywrightSuite(c);
    const stateDir = join(mkdtempSync(join(tmpdir(), 'cleanroom-warm-')), 'state');
    const env: NodeJS.ProcessEnv = { ...process.env, CLEANROOM_STATE_DIR: stateDir, NO_COLOR: '1' };
    for (const k of ['CLEANROOM_RUN_ID', 'CLEANROOM_SERVICE', 'CLEANROOM_RUNNER']) delete env[k];
    let upPids: ReturnType<typeof proc>[] = [];
    onTestFinished(async () => {
      await cli(['down'], { cwd: c.dir, env });
      killProcs(upPids);
      rmSync(join(stateDir, '..'), { recursive: true, force: true });
    });

    const up = await cli(['up'], { cwd: c.dir, env });
    expect(up.code, up.stderr).toBe(0);
    const status = JSON.parse((await cli(['status', '--json'], { cwd: c.dir, env })).stdout) as StatusJson;
    upPids = status.runs[0]!.services.flatMap((s) => s.pids).map(proc);
    expect(upPids.length).toBeGreaterThanOrEqual(4);

    const runnerEnv = { CLEANROOM_STATE_DIR: stateDir };
    for (const [name, args] of [
      ['vitest', [VITEST_BIN, 'run']],
      ['playwright', [PLAYWRIGHT_BIN, 'test']],
    ] as const) {
      const r = startRunner(process.execPath, [...args], { cwd: c.dir, env: runnerEnv });
      onTestFinished(() => r.kill());
      expect(shellStatus(await r.exited), `${name}:\n${r.output()}`).toBe(0);
      expect(r.output(), name).toMatch(/api is already running from `cleanroom up` .* and leaving it running/);
      expect(r.output(), name).toMatch(/web is already running from `cleanroom up`/);
      expect(upPids.filter((p) => !isAlive(p)), `${name} stopped up's processes`).toEqual([]);
    }

    const down = await cli(['down'], { cwd: c.dir, env });
    expect(down.code, down.stdout + down.stderr).toBe(0);
    expect(await survivors(upPids)).toEqual([]);
    expect(await portIsFree(c.apiPort)).toBe(true);
    expect(await portIsFree(c.webPort)).toBe(true);
  });
});
