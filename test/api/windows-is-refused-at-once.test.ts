/**
 * On Windows cleanroom cannot stop a service's tree, so start() refuses at once, starting nothing,
 * instead of leaking every service. Run here by making this process report win32 (Node reads
 * process.platform; nothing else of the OS is faked): the marker proves nothing was spawned.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it, onTestFinished } from 'vitest';
import { CleanroomError, start } from '../../src/index.js';
import { silentLogger } from '../../src/run/log.js';
import { rejectionOf, tempDir, testMark } from '../helpers/api.js';
import { SERVICE } from '../helpers/spawn.js';

it('start() on Windows fails at once with a clear message and spawns nothing', async () => {
  const mark = testMark();
  const marker = join(tempDir(), 'spawned');
  const real = Object.getOwnPropertyDescriptor(process, 'platform')!;
  Object.defineProperty(process, 'platform', { ...real, value: 'win32' });
  onTestFinished(() => void Object.defineProperty(process, 'platform', real));
  const { error, ms } = await rejectionOf(
    start({ services: { api: { command: [process.execPath, SERVICE], env: { MARKER: marker, TEST_MARK: mark } } } }, { logger: silentLogger }),
  );
  Object.defineProperty(process, 'platform', real);
  expect(error).toBeInstanceOf(CleanroomError);
  expect(error.message).toMatch(/Windows is not supported yet/);
  expect(error.message).toMatch(/nothing was started/);
  expect(ms).toBeLessThan(1000);
  await new Promise((r) => setTimeout(r, 300));
  expect(existsSync(marker), 'a service was spawned').toBe(false);
});
