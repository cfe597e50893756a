/**
 * A stopCommand that fails (exits non-zero, or cannot run) is said at teardown with its exit code and
 * its last lines of stderr, and the service is stopped all the same: the stop signal follows. One that
 * succeeds says nothing. Real processes.
 */
import { describe, expect, it } from 'vitest';
import { start } from '../../src/index.js';
import { captureLogger, processesWithEnv, stopWhenDone, testMark } from '../helpers/api.js';
import { freePort, survivors } from '../helpers/os.js';
import { SERVICE } from '../helpers/spawn.js';

async function run(stopCommand: string | string[]) {
  const mark = testMark();
  const port = await freePort();
  const { logger, text } = captureLogger();
  const services = stopWhenDone(
    await start(
      { services: { api: { command: [process.execPath, SERVICE], port, env: { PORT: String(port), TEST_MARK: mark }, stopCommand } } },
      { logger },
    ),
  );
  const procs = processesWithEnv('TEST_MARK', mark);
  expect(procs.length).toBeGreaterThan(0);
  const summary = await services.stop();
  expect(summary.left).toEqual([]);
  expect(await survivors(procs)).toEqual([]);
  return text('warn');
}

describe('stopCommand at teardown', () => {
  it('exits 3: its code and last stderr lines are said, and the service is stopped all the same', async () => {
    const warn = await run([process.execPath, '-e', "console.error('compose: no such project'); process.exit(3)"]);
    expect(warn).toContain('api: its stopCommand (');
    expect(warn).toContain('exited with code 3; the stop signal was sent all the same.');
    expect(warn).toContain('  | compose: no such project');
  });

  it('cannot be run: said, and the service is stopped', async () => {
    const warn = await run(['/nonexistent/docker', 'compose', 'down']);
    expect(warn).toMatch(/api: its stopCommand \(\/nonexistent\/docker compose down\) could not be run: .*ENOENT/);
  });

  it('succeeds: nothing is said', async () => {
    const warn = await run([process.execPath, '-e', '0']);
    expect(warn).not.toContain('stopCommand');
  });
});
