/**
 * A service that exits before it is ready fails start() at once (not after readyTimeout), with its exit
 * code and the first and last lines it printed (all 26 here), and whatever else was starting in parallel is stopped.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ServiceError, start } from '../../src/index.js';
import { silentLogger } from '../../src/run/log.js';
import { processesWithEnv, rejectionOf, tempDir, testMark, watchMarked } from '../helpers/api.js';
import { freePort, portIsFree, survivors } from '../helpers/os.js';
import { SERVICE } from '../helpers/spawn.js';

it('rejects well before readyTimeout with the exit code and every line it printed (26: within the first 10 + last 20), and stops the healthy service', async () => {
  const mark = testMark();
  const healthyUp = join(tempDir(), 'healthy-started');
  const crashPort = await freePort();
  const healthyPort = await freePort();
  const watch = watchMarked(mark);

  const { error, ms } = await rejectionOf(
    start(
      {
        services: {
          // Waits until `healthy` runs (so both really run in parallel), prints 25 lines and a fatal one, exits 3.
          crash: {
            command: [process.execPath, SERVICE],
            port: crashPort,
            readyTimeout: 30_000,
            env: { PORT: String(crashPort), EXIT_NOW_CODE: '3', WAIT_FOR_FILE: healthyUp, TEST_MARK: mark },
          },
          healthy: {
            command: [process.execPath, SERVICE],
            port: healthyPort,
            readyTimeout: 30_000,
            env: { PORT: String(healthyPort), CHILDREN: '1', MARKER: healthyUp, TEST_MARK: mark },
          },
        },
      },
      { logger: silentLogger },
    ),
  );
  const seen = watch.stop();

  expect(ms).toBeLessThan(5000);
  expect(error).toBeInstanceOf(ServiceError);
  const err = error as ServiceError;
  expect(err.service).toBe('crash');
  expect(err.message).toContain('service "crash"');
  expect(err.message).toContain('exited with code 3');

  // 26 non-empty lines, no more than the first 10 + the last 20: all are shown, none is left out.
  expect(err.logTail!).toHaveLength(26);
  expect(err.message).toContain('all 26 lines from crash');
  expect(err.logTail!.at(-1)).toBe('fatal: something went wrong');
  expect(err.message).toMatch(/\| fatal: something went wrong$/);
  expect(err.message).toMatch(/starting step 1$/m);
  expect(err.message).toMatch(/starting step 25$/m);
  expect(err.message).not.toContain(' lines …');

  // The healthy service really ran (leader + child) and is gone, its port free.
  expect(existsSync(healthyUp)).toBe(true);
  // The watcher polls /proc: under load it can miss a short-lived process, but never the healthy leader.
  expect(seen.length).toBeGreaterThanOrEqual(1);
  expect(await survivors(seen)).toEqual([]);
  expect(processesWithEnv('TEST_MARK', mark)).toEqual([]);
  expect(await portIsFree(healthyPort)).toBe(true);
  expect(await portIsFree(crashPort)).toBe(true);
});

it('a program that does not exist: one clear error (array form: could not be started; string form: the shell says so)', async () => {
  const missing = await rejectionOf(start({ services: { ghost: { command: ['/nonexistent/cleanroom-ghost', '--serve'] } } }, { logger: silentLogger }));
  expect(missing.error).toBeInstanceOf(ServiceError);
  expect(String(missing.error)).toMatch(/service "ghost" could not be started: .*ENOENT/);
  expect(String(missing.error)).toMatch(/exists and is executable/);

  const port = await freePort();
  const viaShell = await rejectionOf(start({ services: { ghost: { command: 'cleanroom-ghost-program --serve', port } } }, { logger: silentLogger }));
  expect(String(viaShell.error)).toMatch(/service "ghost" exited with code 127 before it was ready/);
  expect(String(viaShell.error)).toMatch(/not found/);
});
