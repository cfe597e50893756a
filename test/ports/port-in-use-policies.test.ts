/**
 * What happens to a port that is already taken: portInUse 'kill' stops the holder's
 * whole process group, 'reuse' tests against it and leaves it alone, 'error' refuses to start. After
 * stop(), a final pass frees a service's port from a listener that neither its group nor its run tag
 * reaches; and a stale server answering a service's ready URL is not taken for the service.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it, onTestFinished } from 'vitest';
import { ServiceError, start } from '../../src/index.js';
import { silentLogger } from '../../src/run/log.js';
import {
  answeringPid,
  captureLogger,
  childrenOf,
  httpGet,
  killProcs,
  processesWithEnv,
  rejectionOf,
  statOf,
  stopWhenDone,
  tempDir,
  testMark,
  waitFor,
  watchMarked,
} from '../helpers/api.js';
import { freePort, isAlive, portIsFree, proc, processesOfRun, survivors, type Proc } from '../helpers/os.js';
import { SERVICE, startForeignHolder, type Holder } from '../helpers/spawn.js';

const node = process.execPath;

/** A foreign holder (its own process group, 2 children) on `port`, killed by its group when the test ends. */
async function holderOn(port: number): Promise<{ holder: Holder; group: Proc[] }> {
  const holder = await startForeignHolder(port, 2);
  onTestFinished(() => holder.kill());
  const children = childrenOf(holder.pid);
  expect(children).toHaveLength(2);
  for (const c of children) expect(statOf(c.pid)?.pgid).toBe(holder.pid);
  return { holder, group: [proc(holder.pid), ...children] };
}

describe('portInUse policies', () => {
  it("'kill': the holder's whole group is stopped, the service starts, and a warning names pid and port", async () => {
    const mark = testMark();
    const port = await freePort();
    const { holder, group } = await holderOn(port);
    const { logger, lines } = captureLogger();

    const services = stopWhenDone(
      await start(
        { services: { api: { command: [node, SERVICE], port, portInUse: 'kill', env: { PORT: String(port), TEST_MARK: mark } } } },
        { logger },
      ),
    );

    expect(await survivors(group)).toEqual([]); // the holder and both its children
    expect(await answeringPid(port)).toBe(services.info.api!.pid);
    const warnings = lines.filter((l) => l.level === 'warn').map((l) => l.msg);
    expect(warnings.some((w) => w.includes(`port ${port}`) && w.includes(`pid ${holder.pid}`))).toBe(true);

    const before = processesOfRun(services.runId);
    expect(before.length).toBeGreaterThan(0);
    await services.stop();
    expect(await survivors(before)).toEqual([]);
    expect(await portIsFree(port)).toBe(true);
  });

  it("'reuse': nothing is spawned, info.pid is the holder's, and the holder is still alive after stop()", async () => {
    const mark = testMark();
    const marker = join(tempDir(), 'spawned');
    const port = await freePort();
    const { holder, group } = await holderOn(port);

    const services = stopWhenDone(
      await start(
        {
          services: {
            api: { command: `touch "${marker}" && exec "${node}" "${SERVICE}"`, port, portInUse: 'reuse', env: { PORT: String(port), TEST_MARK: mark } },
          },
        },
        { logger: silentLogger },
      ),
    );

    expect(services.info.api).toEqual({ url: `http://localhost:${port}`, port, pid: holder.pid });
    expect(processesOfRun(services.runId)).toEqual([]);
    expect(processesWithEnv('TEST_MARK', mark)).toEqual([]);

    const summary = await services.stop();
    expect(summary.processes).toBe(0);
    expect(existsSync(marker), 'the service command was run').toBe(false);
    expect(group.every(isAlive), 'the reused holder (or a child of it) was stopped').toBe(true);
    expect(await answeringPid(port)).toBe(holder.pid);
  });

  it("'error': start() rejects naming the holder's pid and command, and leaves the holder alone", async () => {
    const mark = testMark();
    const port = await freePort();
    const { holder, group } = await holderOn(port);

    const { error } = await rejectionOf(
      start(
        { services: { api: { command: [node, SERVICE], port, portInUse: 'error', env: { PORT: String(port), TEST_MARK: mark } } } },
        { logger: silentLogger },
      ),
    );

    expect(error).toBeInstanceOf(ServiceError);
    expect((error as ServiceError).service).toBe('api');
    expect(error.message).toContain(`port ${port} is already in use by pid ${holder.pid} (${node} ${SERVICE})`);
    expect(processesWithEnv('TEST_MARK', mark)).toEqual([]);
    expect(group.every(isAlive), 'the holder (or a child of it) was stopped').toBe(true);
    expect(await answeringPid(port)).toBe(holder.pid);
  });
});

describe('listeners cleanroom cannot reach through the group or the tag', () => {
  it('a listener the service left behind on its port is stopped by the final pass, with a warning', async () => {
    const mark = testMark();
    const port = await freePort();
    const { logger, lines } = captureLogger();
    const services = stopWhenDone(
      await start(
        {
          services: {
            leaky: { command: [node, SERVICE], port, env: { PORT: String(port), ESCAPE_LISTENER: '1', TEST_MARK: mark } },
          },
        },
        { logger },
      ),
    );
    const leader = services.info.leaky!.pid;
    const before = processesOfRun(services.runId);

    // Hand the port to a detached child with an empty environment: no run tag, not in the group.
    expect((await httpGet('127.0.0.1', port, '/escape'))?.body).toBe('escaping');
    const escapeePid = await waitFor('the escaped listener', async () => {
      const pid = await answeringPid(port);
      return pid !== undefined && pid !== leader ? pid : undefined;
    });
    const escapee = proc(escapeePid);
    onTestFinished(() => killProcs([escapee]));
    expect(statOf(escapeePid)?.pgid).toBe(escapeePid);
    expect(processesOfRun(services.runId).map((p) => p.pid)).not.toContain(escapeePid);

    const summary = await services.stop();

    expect(await survivors([...before, escapee])).toEqual([]);
    expect(await portIsFree(port)).toBe(true);
    expect(summary.portsHeld).toEqual([]);
    const warnings = lines.filter((l) => l.level === 'warn').map((l) => l.msg);
    expect(warnings.some((w) => w.includes(`port ${port} was still held after leaky stopped`) && w.includes(`pid ${escapeePid}`))).toBe(
      true,
    );
  });

  it('a stale server answering the ready URL of a service that never listens is not taken for it', async () => {
    const mark = testMark();
    const port = await freePort();
    const { holder, group } = await holderOn(port);
    const watch = watchMarked(mark);
    const t0 = performance.now();

    // No `port`: cleanroom does not clear it. The command stays alive without listening, like nodemon
    // after its server crashed with EADDRINUSE, while the stale server answers the ready URL.
    const { error } = await rejectionOf(
      start(
        {
          services: {
            web: { command: [node, SERVICE], ready: `http://localhost:${port}/`, readyTimeout: 30_000, env: { CHILDREN: '1', TEST_MARK: mark } },
          },
        },
        { logger: silentLogger },
      ),
    );
    const ms = performance.now() - t0;
    const seen = watch.stop();

    expect(ms, 'it failed on the foreign listener, well before its 30 s readyTimeout').toBeLessThan(15_000);
    expect(error).toBeInstanceOf(ServiceError);
    expect((error as ServiceError).service).toBe('web');
    expect(error.message).toContain(`is not what answers on port ${port}: pid ${holder.pid}`);
    expect(error.message).toContain('stale server');

    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(await survivors(seen)).toEqual([]);
    await sleep(50);
    expect(group.every(isAlive), 'the stale server is not the service\'s to stop').toBe(true);
  });
});
