/**
 * A service that exits on its own while the tests run is reported at once (onFailure, services.failures,
 * an error line) with its exit code and last lines, and stop() lists it in summary.failures.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect, it } from 'vitest';
import { start, type ServiceExit } from '../../src/index.js';
import { captureLogger, stopWhenDone, tempDir, testMark } from '../helpers/api.js';
import { freePort, isAlive, portIsFree, proc, processesOfRun, survivors } from '../helpers/os.js';
import { SERVICE } from '../helpers/spawn.js';

it('calls onFailure within a second of the exit, with code 7 and the log tail; stop() reports it', async () => {
  const mark = testMark();
  const port = await freePort();
  const crashFile = join(tempDir(), 'crash-now');
  const { logger, text } = captureLogger();
  const services = stopWhenDone(
    await start(
      {
        services: {
          crashy: {
            command: [process.execPath, SERVICE],
            port,
            // Crashes when the test says so, not after a delay that a slow start() could outlast.
            env: { PORT: String(port), EXIT_ON_FILE: crashFile, EXIT_CODE: '7', TEST_MARK: mark },
          },
        },
      },
      { logger },
    ),
  );
  const leader = proc(services.info.crashy!.pid);
  const before = processesOfRun(services.runId);
  expect(before.map((p) => p.pid)).toContain(leader.pid);

  const reported = new Promise<{ exit: ServiceExit; at: number }>((resolve) =>
    services.onFailure((exit) => resolve({ exit, at: performance.now() })),
  );
  writeFileSync(crashFile, '');
  // Watch the leader through /proc to know when it really exited.
  const deadline = performance.now() + 5000;
  while (isAlive(leader) && performance.now() < deadline) await sleep(5);
  const exitedAt = performance.now();
  expect(isAlive(leader), 'the service should have exited on its own').toBe(false);

  const { exit, at } = await Promise.race([
    reported,
    sleep(3000).then(() => expect.fail('onFailure was not called within 3 s of the exit')),
  ]);
  expect(at - exitedAt).toBeLessThan(1000);
  expect(exit).toMatchObject({ service: 'crashy', code: 7, signal: null });
  expect(exit.logTail).toContain('crashing now');
  expect(exit.logTail.some((l) => l.endsWith(`listening on ${port}`))).toBe(true);
  expect(services.failures).toEqual([exit]);
  expect(text('error')).toContain('service "crashy" exited with code 7 while the tests were running');

  const summary = await services.stop();
  expect(summary.failures).toEqual([exit]);
  expect(await survivors(before)).toEqual([]);
  expect(await portIsFree(port)).toBe(true);
});
