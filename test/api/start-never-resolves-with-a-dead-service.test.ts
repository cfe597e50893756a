/**
 * start() resolves only when every service is ready and still alive; onFailure also tells of a failure
 * that happened before the callback was added; and a callback that throws is reported, never an
 * unhandled rejection that kills the runner.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { expect, it } from 'vitest';
import { ServiceError, start, type ServiceExit } from '../../src/index.js';
import { captureLogger, processesWithEnv, stopWhenDone, testMark } from '../helpers/api.js';
import { freePort, portIsFree } from '../helpers/os.js';
import { SERVICE } from '../helpers/spawn.js';

it('a service that dies after its ready check, while another is still starting, fails the start', async () => {
  const mark = testMark();
  const [fast, slow] = [await freePort(), await freePort()];
  const { logger } = captureLogger();
  const err = await start(
    {
      services: {
        // Ready at once, dead 300 ms later: before `slow` (which waits for it) is ready.
        fast: { command: [process.execPath, SERVICE], port: fast, env: { PORT: String(fast), EXIT_AFTER_MS: '300', EXIT_CODE: '3', TEST_MARK: mark } },
        slow: { command: [process.execPath, SERVICE], port: slow, dependsOn: ['fast'], env: { PORT: String(slow), READY_DELAY_MS: '1500', TEST_MARK: mark } },
      },
    },
    { logger },
  ).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ServiceError);
  expect((err as ServiceError).service).toBe('fast');
  expect((err as ServiceError).message).toContain('exited with code 3 right after it was ready');
  expect(processesWithEnv('TEST_MARK', mark)).toEqual([]);
  expect(await portIsFree(slow)).toBe(true);
});

it('onFailure added after the failure is still told of it; a throwing callback is reported, not fatal', async () => {
  const mark = testMark();
  const port = await freePort();
  const { logger, text } = captureLogger();
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown) => unhandled.push(e);
  process.on('unhandledRejection', onUnhandled);
  try {
    const services = stopWhenDone(
      await start({ services: { crashy: { command: [process.execPath, SERVICE], port, env: { PORT: String(port), EXIT_AFTER_MS: '200', EXIT_CODE: '7', TEST_MARK: mark } } } }, { logger }),
    );
    const deadline = performance.now() + 5000;
    while (services.failures.length === 0 && performance.now() < deadline) await sleep(10);
    expect(services.failures).toHaveLength(1);
    // Added after the exit: called all the same.
    const late = await new Promise<ServiceExit>((resolve) => services.onFailure(resolve));
    expect(late).toMatchObject({ service: 'crashy', code: 7 });
    // A callback that throws (sync and async) is isolated.
    services.onFailure(() => {
      throw new Error('boom in a callback');
    });
    services.onFailure(async () => {
      throw new Error('async boom');
    });
    await sleep(100);
    expect(text('error')).toContain("an onFailure callback threw while handling crashy's exit: boom in a callback");
    expect(text('error')).toContain("an onFailure callback threw while handling crashy's exit: async boom");
    expect(unhandled).toEqual([]);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});
