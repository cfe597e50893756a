/**
 * A watchdog that cannot run leaves kill -9 of the runner uncovered: cleanroom must say so, once.
 * Made to fail for real: the runner's environment carries a NODE_OPTIONS that makes every new node
 * process die at start-up (a --require of a missing file, set after the runner started, as a config
 * file might do for its services). The watchdog is such a process.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { start } from '../../src/index.js';
import { captureLogger, stopWhenDone, testMark, waitFor } from '../helpers/api.js';

describe('a watchdog that fails to start', () => {
  it('is reported once, as a warning saying kill -9 protection is off', async () => {
    const mark = testMark();
    const saved = process.env.NODE_OPTIONS;
    process.env.NODE_OPTIONS = '--require /nonexistent/cleanroom-missing-preload.cjs';
    onTestFinished(() => {
      if (saved === undefined) delete process.env.NODE_OPTIONS;
      else process.env.NODE_OPTIONS = saved;
    });
    const { logger, lines } = captureLogger();
    // Not a node service: NODE_OPTIONS would break it too.
    const services = stopWhenDone(await start({ services: { idle: { command: ['sleep', '30'], env: { TEST_MARK: mark } } } }, { logger }));
    const warning = await waitFor('the watchdog warning', () => lines.find((l) => l.level === 'warn' && /watchdog/.test(l.msg)));
    expect(warning.msg).toMatch(/watchdog .*exited with code 1/);
    expect(warning.msg).toMatch(/kill -9/);
    expect(warning.msg).toMatch(/NODE_OPTIONS/);
    await services.stop();
    expect(lines.filter((l) => /watchdog/.test(l.msg))).toHaveLength(1);
  });
});
