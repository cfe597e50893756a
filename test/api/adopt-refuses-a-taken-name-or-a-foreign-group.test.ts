/**
 * adopt() puts a process under the run by name and process group: a name a service (or an earlier
 * adoption) already has would take that tree's place in the guards, and a process that does not lead
 * its own group could not be stopped by it. Both are refused with what to do; the service stays
 * guarded and is stopped with the run. Real processes.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it, onTestFinished } from 'vitest';
import { CleanroomError, start } from '../../src/index.js';
import { silentLogger } from '../../src/run/log.js';
import { processesWithEnv, stopWhenDone, testMark } from '../helpers/api.js';
import { freePort, proc, survivors } from '../helpers/os.js';
import { SERVICE } from '../helpers/spawn.js';

function idle(env: NodeJS.ProcessEnv, detached: boolean) {
  const c = spawn(process.execPath, ['-e', 'setInterval(()=>{},1000)'], { detached, stdio: 'ignore', env: { ...process.env, ...env } });
  onTestFinished(() => {
    try {
      process.kill(c.pid!, 'SIGKILL'); // the process this test started
    } catch {
      /* gone */
    }
  });
  return c;
}

describe('adopt()', () => {
  it("refuses a service's name and a second adoption's name; refuses a process that does not lead its group", async () => {
    const mark = testMark();
    const port = await freePort();
    const services = stopWhenDone(
      await start({ services: { api: { command: [process.execPath, SERVICE], port, env: { PORT: String(port), TEST_MARK: mark } } } }, { logger: silentLogger }),
    );
    const worker = idle({ ...services.tagEnv('worker'), TEST_MARK: mark }, true);
    expect(() => services.adopt({ name: 'api', pid: worker.pid! })).toThrow(CleanroomError);
    expect(() => services.adopt({ name: 'api', pid: worker.pid! })).toThrow(/already a service or an adopted process/);
    services.adopt({ name: 'worker', pid: worker.pid! });
    expect(() => services.adopt({ name: 'worker', pid: worker.pid! })).toThrow(/already a service or an adopted process/);
    // Spawned without detached: it is in the test runner's group. (Not tagged: a process with the run's
    // tags that is not adopted would rightly count as left by the run's leak check.)
    const inOurGroup = idle({}, false);
    expect(() => services.adopt({ name: 'helper', pid: inOurGroup.pid! })).toThrow(/does not lead its own process group.*detached: true/);

    const all = processesWithEnv('TEST_MARK', mark);
    expect(all.map((p) => p.pid)).toContain(worker.pid);
    expect(all.length).toBeGreaterThan(1); // the service's processes too
    const summary = await services.stop();
    expect(summary.left).toEqual([]);
    // The service (still guarded under its own name) and the worker are gone.
    expect(await survivors(all)).toEqual([]);
    expect(await survivors([proc(inOurGroup.pid!)], 0)).toHaveLength(1); // never adopted: left alone
  });
});
