/**
 * A service that runs but never becomes ready fails start() after readyTimeout, saying what was
 * checked, the last result, the timeout and the service's last lines; its processes are stopped.
 */
import { describe, expect, it } from 'vitest';
import { ServiceError, start } from '../../src/index.js';
import { silentLogger } from '../../src/run/log.js';
import { processesWithEnv, rejectionOf, testMark, watchMarked } from '../helpers/api.js';
import { freePort, portIsFree, survivors } from '../helpers/os.js';
import { SERVICE } from '../helpers/spawn.js';

describe('a service that never becomes ready', () => {
  it('never listens on its port: times out naming the TCP check and the output tail; its processes are gone', async () => {
    const mark = testMark();
    const port = await freePort();
    const watch = watchMarked(mark);
    const t0 = performance.now();
    const { error } = await rejectionOf(
      start(
        {
          services: {
            // No PORT in its env: it runs (with a child) but never listens.
            silent: { command: [process.execPath, SERVICE], port, readyTimeout: 500, env: { CHILDREN: '1', TEST_MARK: mark } },
          },
        },
        { logger: silentLogger },
      ),
    );
    const ms = performance.now() - t0;
    const seen = watch.stop();

    expect(ms).toBeGreaterThanOrEqual(500);
    expect(ms).toBeLessThan(3000);
    expect(error).toBeInstanceOf(ServiceError);
    const err = error as ServiceError;
    expect(err.service).toBe('silent');
    expect(err.message).toContain('service "silent" did not become ready within 500 ms');
    expect(err.message).toContain(`TCP connect to :${port}`);
    expect(err.message).toContain('last result: connection refused');
    expect(err.logTail!.at(-1)).toMatch(/^\[service \d+\] running without a port$/);
    expect(err.message).toMatch(/\| \[service \d+\] running without a port$/);

    expect(seen.length).toBeGreaterThanOrEqual(2); // the leader and its child ran
    expect(await survivors(seen)).toEqual([]);
    expect(processesWithEnv('TEST_MARK', mark)).toEqual([]);
    expect(await portIsFree(port)).toBe(true);
  });

  it('answers its ready URL with 503: times out with "status 503" in the error; its processes are gone', async () => {
    const mark = testMark();
    const port = await freePort();
    const watch = watchMarked(mark);
    const { error } = await rejectionOf(
      start(
        {
          services: {
            sick: {
              command: [process.execPath, SERVICE],
              port,
              ready: `http://localhost:${port}/health`,
              // Long enough for a loaded machine to boot it: the last result must be the 503, not a refused connect.
              readyTimeout: 2000,
              env: { PORT: String(port), STATUS: '503', TEST_MARK: mark },
            },
          },
        },
        { logger: silentLogger },
      ),
    );
    const seen = watch.stop();

    expect(error).toBeInstanceOf(ServiceError);
    const err = error as ServiceError;
    expect(err.service).toBe('sick');
    expect(err.message).toContain('did not become ready within 2 s');
    expect(err.message).toContain(`GET http://localhost:${port}/health`);
    expect(err.message).toContain('last result: status 503');
    expect(err.message).toContain(`listening on ${port}`);

    expect(seen.length).toBeGreaterThanOrEqual(1);
    expect(await survivors(seen)).toEqual([]);
    expect(await portIsFree(port)).toBe(true);
  });
});
