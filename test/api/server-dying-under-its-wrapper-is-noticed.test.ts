/**
 * A server that dies while its wrapper (`node --watch`, nodemon, ts-node-dev) stays alive: the leader
 * never exits, but what the service exists for — its port — is gone. That is reported at once, saying
 * which of its processes exited and which still run.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { expect, it } from 'vitest';
import { start, type ServiceExit } from '../../src/index.js';
import { captureLogger, stopWhenDone, testMark } from '../helpers/api.js';
import { freePort, isAlive, proc, processesOfRun } from '../helpers/os.js';
import { SERVICE } from '../helpers/spawn.js';
import { portHolders } from '../../src/os/process-table.js';

it('node --watch keeps running after its server is SIGKILLed: onFailure says the port stopped answering, within 3 s', async () => {
  const mark = testMark();
  const port = await freePort();
  const { logger, text } = captureLogger();
  const services = stopWhenDone(
    await start({ services: { api: { command: [process.execPath, '--watch', SERVICE], port, env: { PORT: String(port), TEST_MARK: mark } } } }, { logger }),
  );
  const wrapper = proc(services.info.api!.pid);
  // The server: the process of this run that holds the port (not the wrapper).
  const ours = new Set(processesOfRun(services.runId).map((p) => p.pid));
  const holder = (portHolders(port) ?? []).find((pid) => ours.has(pid) && pid !== wrapper.pid);
  expect(holder, 'the server under node --watch holds the port').toBeDefined();
  const reported = new Promise<ServiceExit>((resolve) => services.onFailure(resolve));
  const t0 = performance.now();
  process.kill(holder!, 'SIGKILL'); // a process of this test's own run, found by its run tag above
  const failure = await Promise.race([reported, sleep(3000).then(() => expect.fail(`not reported within 3 s; log:\n${text()}`))]);
  expect(performance.now() - t0).toBeLessThan(3000);
  expect(isAlive(wrapper), 'the wrapper is still running').toBe(true);
  expect(failure.service).toBe('api');
  expect(failure.reason).toMatch(new RegExp(`^stopped answering on :${port} \\(.*service\\.mjs \\(pid ${holder}\\) exited; .*--watch.* \\(pid ${wrapper.pid}\\) still running\\)$`));
  expect(failure.code).toBeNull();
  expect(text('error')).toContain(`service "api" stopped answering on :${port}`);
  const summary = await services.stop();
  expect(summary.failures).toEqual([failure]);
});
