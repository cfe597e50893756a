/**
 * Every form of `ready` waits for what it says: each service here starts listening only after 300 ms,
 * so start() resolving early would be caught by the OS-level check right after it. A service with only
 * a `port` is ready on whichever loopback family it listens on.
 */
import { describe, expect, it } from 'vitest';
import { start, type ServiceConfig, type Services } from '../../src/index.js';
import { silentLogger } from '../../src/run/log.js';
import { answeringPid, httpGet, processesWithEnv, rejectionOf, stopWhenDone, testMark, waitFor } from '../helpers/api.js';
import { canConnect, freePort, portIsFree, processesOfRun, survivors } from '../helpers/os.js';
import { SERVICE } from '../helpers/spawn.js';

const DELAY_MS = 300;

async function startService(svc: (port: number, env: Record<string, string>) => ServiceConfig) {
  const mark = testMark();
  const port = await freePort();
  const env = { PORT: String(port), READY_DELAY_MS: String(DELAY_MS), TEST_MARK: mark };
  const t0 = performance.now();
  const services = stopWhenDone(await start({ services: { svc: svc(port, env) } }, { logger: silentLogger }));
  const ms = performance.now() - t0;
  const before = processesOfRun(services.runId);
  expect(before.length).toBeGreaterThan(0);
  expect(ms).toBeGreaterThanOrEqual(DELAY_MS);
  return { services, port, before };
}

async function expectStopLeavesNothing(services: Services, before: ReturnType<typeof processesOfRun>, port: number) {
  await services.stop();
  expect(await survivors(before)).toEqual([]);
  expect(await portIsFree(port)).toBe(true);
}

const command = [process.execPath, SERVICE];

describe('ready strategies', () => {
  it('a URL string: ready when the URL answers 2xx', async () => {
    const { services, port, before } = await startService((port, env) => ({
      command,
      port,
      env,
      ready: `http://127.0.0.1:${port}/health`,
    }));
    expect((await httpGet('127.0.0.1', port, '/health'))?.status).toBe(200);
    expect(services.info.svc).toMatchObject({ url: `http://127.0.0.1:${port}`, port });
    await expectStopLeavesNothing(services, before, port);
  });

  it('{ url, status }: ready when the URL answers one of the accepted statuses (503 here)', async () => {
    const { services, port, before } = await startService((port, env) => ({
      command,
      port,
      env: { ...env, STATUS: '503' },
      ready: { url: `http://localhost:${port}/`, status: 503 },
      readyTimeout: 10_000,
    }));
    expect((await httpGet('127.0.0.1', port))?.status).toBe(503);
    await expectStopLeavesNothing(services, before, port);
  });

  it('{ url, status: [...] }: any status of the list is accepted', async () => {
    const { services, port, before } = await startService((port, env) => ({
      command,
      port,
      env: { ...env, STATUS: '204' },
      ready: { url: `http://localhost:${port}/`, status: [200, 204] },
      readyTimeout: 10_000,
    }));
    expect((await httpGet('127.0.0.1', port))?.status).toBe(204);
    await expectStopLeavesNothing(services, before, port);
  });

  it('{ port }: ready when a TCP connect to that port works', async () => {
    const { services, port, before } = await startService((port, env) => ({ command, env, ready: { port } }));
    expect(await canConnect('127.0.0.1', port)).toBe(true);
    // No `port` on the service itself: nothing to hand out but the pid.
    expect(services.info.svc).toEqual({ url: '', pid: expect.any(Number) });
    await expectStopLeavesNothing(services, before, port);
  });

  it('{ log }: ready when a line of its output matches', async () => {
    const { services, port, before } = await startService((_port, env) => ({ command, env, ready: { log: /listening on/ } }));
    // The fixture prints "listening on" once it listens.
    expect(await canConnect('127.0.0.1', port)).toBe(true);
    await expectStopLeavesNothing(services, before, port);
  });

  it('{ check }: ready when the function returns true; a throw counts as not yet', async () => {
    let calls = 0;
    const { services, port, before } = await startService((port, env) => ({
      command,
      port,
      env,
      ready: {
        check: async () => {
          calls++;
          if (calls <= 2) throw new Error('not yet');
          return (await httpGet('127.0.0.1', port))?.status === 200;
        },
      },
    }));
    expect(calls).toBeGreaterThan(2);
    const callsAtReady = calls;
    expect((await httpGet('127.0.0.1', port))?.status).toBe(200);
    await new Promise((r) => setTimeout(r, 50));
    expect(calls, 'check() must not be called after the service is ready').toBe(callsAtReady);
    await expectStopLeavesNothing(services, before, port);
  });

  it('only `port`, listening on ::1 only: ready, and the URL uses [::1]', async () => {
    const { services, port, before } = await startService((port, env) => ({ command, port, env: { ...env, HOST: '::1' } }));
    expect(await canConnect('::1', port)).toBe(true);
    expect(await canConnect('127.0.0.1', port)).toBe(false);
    expect(services.info.svc).toMatchObject({ url: `http://[::1]:${port}`, port });
    expect(services.env.CLEANROOM_SVC_URL).toBe(`http://[::1]:${port}`);
    await expectStopLeavesNothing(services, before, port);
  });

  it('only `port`, listening on 127.0.0.1 only: ready, and the URL uses localhost', async () => {
    const { services, port, before } = await startService((port, env) => ({ command, port, env: { ...env, HOST: '127.0.0.1' } }));
    expect(await canConnect('127.0.0.1', port)).toBe(true);
    expect(await canConnect('::1', port)).toBe(false);
    expect(services.info.svc).toMatchObject({ url: `http://localhost:${port}`, port });
    await expectStopLeavesNothing(services, before, port);
  });

  // Regression: waitReady asks checkOwnership() as soon as check()/log says ready; with nothing listening
  // on the port yet, no holder was taken for a foreign one, and after 1 s start() rejected with
  // 'is not what answers on port N: a process cleanroom cannot see ... does' although nothing answered.
  it('{ check } that passes before the service listens on its `port`: not mistaken for a foreign listener', async () => {
    const { services, port, before } = await startService((port, env) => ({
      command,
      port,
      env: { ...env, READY_DELAY_MS: '1500' },
      ready: { check: () => true },
      readyTimeout: 10_000,
    }));
    expect(await waitFor('the service to answer', () => answeringPid(port), 3000)).toBe(services.info.svc!.pid);
    await expectStopLeavesNothing(services, before, port);
  });
});

describe('a ready.check() that never settles', () => {
  it('does not hang start(): it fails after readyTimeout, naming the check, and leaves nothing', async () => {
    const mark = testMark();
    const t0 = performance.now();
    const { error } = await rejectionOf(
      start(
        { services: { hung: { command: [process.execPath, SERVICE], env: { TEST_MARK: mark }, readyTimeout: 500, ready: { check: () => new Promise<boolean>(() => {}) } } } },
        { logger: silentLogger },
      ),
    );
    expect(performance.now() - t0).toBeLessThan(3000);
    expect(String(error)).toMatch(/service "hung" did not become ready within 500 ms/);
    expect(String(error)).toMatch(/the ready\.check\(\) function gave no answer/);
    expect(await survivors(processesWithEnv('TEST_MARK', mark))).toEqual([]);
  });

  it('notices at once when the service exits meanwhile', async () => {
    const mark = testMark();
    const t0 = performance.now();
    const { error } = await rejectionOf(
      start(
        {
          services: {
            hung: {
              command: [process.execPath, SERVICE],
              env: { TEST_MARK: mark, EXIT_AFTER_MS: '200', EXIT_CODE: '7' },
              readyTimeout: 30_000,
              ready: { check: () => new Promise<boolean>(() => {}) },
            },
          },
        },
        { logger: silentLogger },
      ),
    );
    expect(performance.now() - t0).toBeLessThan(3000);
    expect(String(error)).toMatch(/service "hung" exited with code 7 before it was ready/);
  });
});
