/**
 * A service (and its children) that ignores SIGTERM is SIGKILLed once stopTimeout runs out: stop() takes
 * about stopTimeout, no longer, reports that force was needed, and nothing is left.
 */
import { expect, it } from 'vitest';
import { start } from '../../src/index.js';
import { captureLogger, stopWhenDone, testMark } from '../helpers/api.js';
import { freePort, portIsFree, processesOfRun, survivors } from '../helpers/os.js';
import { SERVICE } from '../helpers/spawn.js';

it('SIGKILLs a tree that ignores SIGTERM after stopTimeout and reports it as forced', async () => {
  const mark = testMark();
  const port = await freePort();
  const { logger, text } = captureLogger();
  const services = stopWhenDone(
    await start(
      {
        services: {
          stubborn: {
            command: [process.execPath, SERVICE],
            port,
            stopTimeout: 300,
            env: { PORT: String(port), IGNORE_SIGTERM: '1', CHILDREN: '2', TEST_MARK: mark },
          },
        },
      },
      { logger },
    ),
  );
  const before = processesOfRun(services.runId);
  expect(before).toHaveLength(3);

  const t0 = performance.now();
  const summary = await services.stop();
  const ms = performance.now() - t0;

  expect(ms).toBeGreaterThanOrEqual(300);
  expect(ms).toBeLessThan(1300);
  expect(summary.services).toHaveLength(1);
  expect(summary.services[0]).toMatchObject({ name: 'stubborn', forced: true, processes: 3, survivors: [] });
  expect(text('info')).toContain('SIGKILL needed for stubborn');
  expect(await survivors(before, 500)).toEqual([]);
  expect(processesOfRun(services.runId)).toEqual([]);
  expect(await portIsFree(port)).toBe(true);
});
