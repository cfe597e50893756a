/**
 * The core promise: start() brings services up (each in its own process group, every process tagged
 * with the run id), hands out correct info and env, and stop() leaves no process and no bound port,
 * including a child that left its group with setsid().
 */
import { describe, expect, it } from 'vitest';
import { start, type Services } from '../../src/index.js';
import { silentLogger } from '../../src/run/log.js';
import { answeringPid, statOf, stopWhenDone, testMark } from '../helpers/api.js';
import { freePort, portIsFree, processesOfRun, survivors } from '../helpers/os.js';
import { SERVICE } from '../helpers/spawn.js';

async function startTwo(mark: string): Promise<{ services: Services; webPort: number; apiPort: number }> {
  const webPort = await freePort();
  const apiPort = await freePort();
  const services = await start(
    {
      services: {
        web: {
          command: [process.execPath, SERVICE],
          port: webPort,
          env: { PORT: String(webPort), CHILDREN: '2', SETSID_CHILD: '1', TEST_MARK: mark },
        },
        // A string command runs through a shell.
        'api-server': {
          command: `"${process.execPath}" "${SERVICE}"`,
          port: apiPort,
          env: { PORT: String(apiPort), TEST_MARK: mark },
        },
      },
    },
    { logger: silentLogger },
  );
  return { services: stopWhenDone(services), webPort, apiPort };
}

describe('start() then stop() leaves nothing running and no port bound', () => {
  it('starts both services, tags every process, and stop() removes all of them', async () => {
    const mark = testMark();
    const { services, webPort, apiPort } = await startTwo(mark);

    // info: url, port and the pid of each service's group leader.
    expect(services.info.web).toEqual({ url: `http://localhost:${webPort}`, port: webPort, pid: expect.any(Number) });
    expect(services.info['api-server']).toEqual({ url: `http://localhost:${apiPort}`, port: apiPort, pid: expect.any(Number) });
    expect(services.env).toEqual({
      CLEANROOM_WEB_URL: `http://localhost:${webPort}`,
      CLEANROOM_WEB_PORT: String(webPort),
      CLEANROOM_API_SERVER_URL: `http://localhost:${apiPort}`,
      CLEANROOM_API_SERVER_PORT: String(apiPort),
    });

    // Ready means answering: the web leader itself answers; the api answers from a process of its group.
    const webPid = services.info.web!.pid;
    const apiLeader = services.info['api-server']!.pid;
    expect(await answeringPid(webPort)).toBe(webPid);
    const apiAnswerer = await answeringPid(apiPort);
    expect(apiAnswerer).toBeDefined();
    expect(statOf(apiAnswerer!)?.pgid).toBe(apiLeader);

    // Each service leads its own process group (spawned detached), not the test runner's.
    expect(statOf(webPid)?.pgid).toBe(webPid);
    expect(statOf(apiLeader)?.pgid).toBe(apiLeader);
    expect(statOf(process.pid)?.pgid).not.toBe(webPid);

    // Every process carries the run id: web leader + 2 children + setsid child, and the api's process(es).
    const before = processesOfRun(services.runId);
    expect(before.length).toBeGreaterThanOrEqual(5);
    expect(before.map((p) => p.pid)).toEqual(expect.arrayContaining([webPid, apiLeader, apiAnswerer]));
    expect(before.filter((p) => statOf(p.pid)?.pgid === webPid)).toHaveLength(3);
    const escaped = before.filter((p) => ![webPid, apiLeader].includes(statOf(p.pid)!.pgid));
    expect(escaped, 'the setsid child should have left the group').toHaveLength(1);
    expect(statOf(escaped[0]!.pid)!.sid).toBe(escaped[0]!.pid);

    const summary = await services.stop();

    expect(await survivors(before)).toEqual([]);
    expect(processesOfRun(services.runId)).toEqual([]);
    expect(await portIsFree(webPort)).toBe(true);
    expect(await portIsFree(apiPort)).toBe(true);
    expect(summary.processes).toBe(before.length);
    expect(summary.services.map((s) => s.name).sort()).toEqual(['api-server', 'web']);
    expect(summary.services.every((s) => !s.forced && s.survivors.length === 0)).toBe(true);
    expect(summary.services.find((s) => s.name === 'web')!.processes).toBe(4);
    expect(summary.portsHeld).toEqual([]);
    expect(summary.failures).toEqual([]);

    // A second stop() does nothing more and returns the same summary.
    expect(await services.stop()).toBe(summary);
  });

  it('`await using` stops everything at scope exit', async () => {
    const mark = testMark();
    let before: ReturnType<typeof processesOfRun> = [];
    let ports: number[] = [];
    {
      await using s = (await startTwo(mark)).services;
      ports = [s.info.web!.port!, s.info['api-server']!.port!];
      before = processesOfRun(s.runId);
      expect(before.length).toBeGreaterThanOrEqual(5);
      for (const port of ports) expect(await portIsFree(port)).toBe(false);
    }
    expect(await survivors(before)).toEqual([]);
    for (const port of ports) expect(await portIsFree(port)).toBe(true);
  });
});
