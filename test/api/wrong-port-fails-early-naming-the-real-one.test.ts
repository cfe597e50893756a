/**
 * A service configured on one port that opens another (the config says 5713, Vite says
 * `Local: http://localhost:5173/`) fails within seconds, naming the port its tree really listens on,
 * instead of after the whole readyTimeout.
 */
import { expect, it } from 'vitest';
import { ServiceError, start } from '../../src/index.js';
import { captureLogger, processesWithEnv, testMark } from '../helpers/api.js';
import { freePort, portIsFree } from '../helpers/os.js';
import { SERVICE } from '../helpers/spawn.js';

it('configured :A, listening on :B: fails in seconds (readyTimeout is 60 s) naming :B; nothing left', async () => {
  const mark = testMark();
  const [configured, actual] = [await freePort(), await freePort()];
  const { logger } = captureLogger();
  const t0 = performance.now();
  const err = await start(
    { services: { frontend: { command: [process.execPath, SERVICE], port: configured, readyTimeout: 60_000, env: { PORT: String(actual), TEST_MARK: mark } } } },
    { logger },
  ).catch((e: unknown) => e);
  const ms = performance.now() - t0;
  expect(err).toBeInstanceOf(ServiceError);
  expect((err as ServiceError).message).toContain(`service "frontend" listens on :${actual}, not on :${configured} as configured`);
  expect((err as ServiceError).message).toContain(`Set frontend's port (and its ready URL) to ${actual}`);
  expect(ms, 'well before readyTimeout').toBeLessThan(20_000);
  expect(processesWithEnv('TEST_MARK', mark)).toEqual([]);
  expect(await portIsFree(actual)).toBe(true);
});
