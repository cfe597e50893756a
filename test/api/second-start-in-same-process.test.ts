/**
 * start() twice in one process (two Vitest projects that both list cleanroom-e2e/vitest) must not stop the
 * first run's services, and must say plainly what happened.
 */
import { expect, it } from 'vitest';
import { ServiceError, start } from '../../src/index.js';
import { silentLogger } from '../../src/run/log.js';
import { rejectionOf, stopWhenDone, testMark } from '../helpers/api.js';
import { freePort, isAlive, processesOfRun } from '../helpers/os.js';
import { SERVICE } from '../helpers/spawn.js';

it('the second start() fails naming the earlier one in this process; the first run is untouched', async () => {
  const port = await freePort();
  const config = { services: { api: { command: [process.execPath, SERVICE], port, env: { PORT: String(port), TEST_MARK: testMark() } } } };
  const first = stopWhenDone(await start(config, { logger: silentLogger }));
  const running = processesOfRun(first.runId);
  expect(running.length).toBeGreaterThan(0);

  const { error } = await rejectionOf(start(config, { logger: silentLogger }));
  expect(error).toBeInstanceOf(ServiceError);
  expect(error.message).toMatch(new RegExp(`port ${port} is held by an earlier start\\(\\) in this same process \\(run ${first.runId}\\)`));
  expect(error.message).not.toMatch(/printed nothing/);
  expect(running.every(isAlive), 'the first run was touched').toBe(true);
  await first.stop();
  expect(running.some(isAlive)).toBe(false);
});
