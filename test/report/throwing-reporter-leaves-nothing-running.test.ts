/**
 * A reporter of the user's that throws (a bug in their code) is reported once and otherwise ignored:
 * start() still resolves, or rejects with the service's own error, and nothing is left running.
 * Real services; the processes are looked for with the OS by the test's mark.
 */
import { describe, expect, it } from 'vitest';
import { ServiceError, start, type StartupReporter } from '../../src/index.js';
import { captureLogger, processesWithEnv, rejectionOf, stopWhenDone, testMark, watchMarked } from '../helpers/api.js';
import { freePort, portIsFree, survivors } from '../helpers/os.js';
import { SERVICE } from '../helpers/spawn.js';

function throwing(calls: string[]): StartupReporter {
  const fail = (name: string) => () => {
    calls.push(name);
    throw new Error(`reporter bug in ${name}`);
  };
  return { waiting: fail('waiting'), ready: fail('ready'), reused: fail('reused'), failed: fail('failed'), done: fail('done'), stopped: fail('stopped') };
}

describe('a reporter that throws', () => {
  it('start() still resolves and stop() still stops everything; the error is said once', async () => {
    const mark = testMark();
    const port = await freePort();
    const { logger, text } = captureLogger();
    const calls: string[] = [];
    const services = stopWhenDone(
      await start({ services: { api: { command: [process.execPath, SERVICE], port, env: { PORT: String(port), TEST_MARK: mark } } } }, { logger, reporter: throwing(calls) }),
    );
    const procs = processesWithEnv('TEST_MARK', mark);
    expect(procs.length).toBeGreaterThan(0);
    const summary = await services.stop();
    expect(summary.left).toEqual([]);
    expect(await survivors(procs)).toEqual([]);
    expect(await portIsFree(port)).toBe(true);
    // Every call was made (and threw), and the error was said once, not once per call.
    expect(calls).toEqual(['waiting', 'ready', 'done', 'stopped']);
    expect(text('error').match(/the reporter's \w+\(\) threw/g)).toEqual(["the reporter's waiting() threw"]);
  });

  it('a service that fails to start: start() rejects with its error, and nothing is left', async () => {
    const mark = testMark();
    const seen = watchMarked(mark);
    const good = await freePort();
    const { logger } = captureLogger();
    const calls: string[] = [];
    const { error } = await rejectionOf(
      start(
        {
          services: {
            api: { command: [process.execPath, SERVICE], port: good, env: { PORT: String(good), TEST_MARK: mark } },
            broken: { command: [process.execPath, '-e', 'process.exit(3)'], ready: { check: () => false }, env: { TEST_MARK: mark } },
          },
        },
        { logger, reporter: throwing(calls) },
      ),
    );
    expect(error).toBeInstanceOf(ServiceError);
    expect(error.message).toContain('exited with code 3');
    expect(calls).toContain('failed');
    const procs = seen.stop();
    expect(procs.length).toBeGreaterThan(0);
    expect(await survivors(procs)).toEqual([]);
    expect(await portIsFree(good)).toBe(true);
  });
});
