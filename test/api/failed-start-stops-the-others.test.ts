/**
 * Start order and failure: a dependent is never spawned when its dependency fails, independent services
 * start in parallel and are stopped when another one fails, and dependsOn waits for the dependency to
 * be ready before the dependent is spawned.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { ServiceError, start } from '../../src/index.js';
import { silentLogger } from '../../src/run/log.js';
import { captureLogger, processesWithEnv, rejectionOf, stopWhenDone, tempDir, testMark, watchMarked } from '../helpers/api.js';
import { canConnect, freePort, portIsFree, processesOfRun, survivors } from '../helpers/os.js';
import { SERVICE } from '../helpers/spawn.js';

const node = process.execPath;

describe('a failed start stops the others', () => {
  it('never spawns a dependent of a failed service, and stops the independent one already starting', async () => {
    const mark = testMark();
    const dir = tempDir();
    const appSpawned = join(dir, 'app-spawned');
    const cacheSpawned = join(dir, 'cache-spawned');
    const dbPort = await freePort();
    const appPort = await freePort();
    const cachePort = await freePort();
    const watch = watchMarked(mark);
    const t0 = performance.now();
    const { error } = await rejectionOf(
      start(
        {
          services: {
            // Waits until cache runs, then crashes before it is ready.
            db: {
              command: [node, SERVICE],
              port: dbPort,
              env: { PORT: String(dbPort), EXIT_NOW_CODE: '1', WAIT_FOR_FILE: cacheSpawned, TEST_MARK: mark },
            },
            // Would leave a marker the moment its shell starts.
            app: {
              command: `touch "${appSpawned}" && exec "${node}" "${SERVICE}"`,
              port: appPort,
              dependsOn: ['db'],
              env: { PORT: String(appPort), TEST_MARK: mark },
            },
            // Independent and slow (ready after 5 s): must be stopped, not waited for.
            cache: {
              command: [node, SERVICE],
              port: cachePort,
              env: { PORT: String(cachePort), READY_DELAY_MS: '5000', CHILDREN: '1', MARKER: cacheSpawned, TEST_MARK: mark },
            },
          },
        },
        { logger: silentLogger },
      ),
    );
    const ms = performance.now() - t0;
    const seen = watch.stop();

    expect(error).toBeInstanceOf(ServiceError);
    expect((error as ServiceError).service).toBe('db');
    expect(error.message).toContain('exited with code 1');
    expect(ms).toBeLessThan(4000); // did not wait for cache's 5 s
    await sleep(200); // a wrongly spawned app would have touched its marker by now
    expect(existsSync(appSpawned), 'app was spawned although its dependency failed').toBe(false);

    expect(existsSync(cacheSpawned)).toBe(true);
    expect(seen.length).toBeGreaterThanOrEqual(3); // db, cache and cache's child
    expect(await survivors(seen)).toEqual([]);
    expect(processesWithEnv('TEST_MARK', mark)).toEqual([]);
    expect(await portIsFree(cachePort)).toBe(true);
    expect(await portIsFree(appPort)).toBe(true);
  });

  it('starts independent services in parallel: each started before the other was ready', async () => {
    const DELAY_MS = 1000;
    const mark = testMark();
    const dir = tempDir();
    const ports = [await freePort(), await freePort()];
    const t0 = performance.now();
    const services = stopWhenDone(
      await start(
        {
          services: Object.fromEntries(
            ports.map((port, i) => [
              `slow${i}`,
              {
                command: [node, SERVICE],
                port,
                env: { PORT: String(port), READY_DELAY_MS: String(DELAY_MS), TIMES_FILE: join(dir, `slow${i}`), TEST_MARK: mark },
              },
            ]),
          ),
        },
        { logger: silentLogger },
      ),
    );
    const ms = performance.now() - t0;

    // The services' own records (not the wall time of start(), which a loaded machine stretches):
    // one after the other would mean the second started only after the first was listening.
    const windows = ports.map((_, i) => {
      const rec = Object.fromEntries(
        readFileSync(join(dir, `slow${i}`), 'utf8')
          .trim()
          .split('\n')
          .map((l) => l.split(' ') as [string, string])
          .map(([k, v]) => [k, Number(v)]),
      ) as { started?: number; listening?: number };
      expect(rec.started, `slow${i} recorded no start`).toBeTypeOf('number');
      expect(rec.listening, `slow${i} recorded no listening`).toBeTypeOf('number');
      return rec as { started: number; listening: number };
    });
    expect(Math.max(...windows.map((w) => w.started)), 'a service started only after the other was ready').toBeLessThan(
      Math.min(...windows.map((w) => w.listening)),
    );
    expect(ms).toBeGreaterThanOrEqual(DELAY_MS);
    for (const port of ports) expect(await canConnect('127.0.0.1', port)).toBe(true);

    const before = processesOfRun(services.runId);
    expect(before).toHaveLength(2);
    await services.stop();
    expect(await survivors(before)).toEqual([]);
    for (const port of ports) expect(await portIsFree(port)).toBe(true);
  });

  it('spawns a dependent only once its dependency is ready', async () => {
    const mark = testMark();
    const dbPort = await freePort();
    const appPort = await freePort();
    const { logger, lines } = captureLogger();
    let appRunningWhenDbReady: boolean | undefined;
    const dbSeenByApp: boolean[] = [];
    const services = stopWhenDone(
      await start(
        {
          services: {
            app: {
              command: [node, SERVICE],
              dependsOn: ['db'],
              env: { PORT: String(appPort), TEST_MARK: mark, ROLE: `app-${mark}` },
              ready: {
                check: async () => {
                  dbSeenByApp.push(await canConnect('127.0.0.1', dbPort));
                  return canConnect('127.0.0.1', appPort);
                },
              },
            },
            db: {
              command: [node, SERVICE],
              port: dbPort,
              env: { PORT: String(dbPort), READY_DELAY_MS: '300', TEST_MARK: mark },
              ready: {
                check: async () => {
                  const up = await canConnect('127.0.0.1', dbPort);
                  if (up) appRunningWhenDbReady = processesWithEnv('ROLE', `app-${mark}`).length > 0;
                  return up;
                },
              },
            },
          },
        },
        { logger },
      ),
    );

    expect(appRunningWhenDbReady, 'app was already running when db became ready').toBe(false);
    expect(dbSeenByApp.length).toBeGreaterThan(0);
    expect(dbSeenByApp.every(Boolean), 'app checked readiness while db did not answer').toBe(true);
    const readyOrder = lines.filter((l) => / ready /.test(l.msg)).map((l) => l.msg.split(' ')[0]);
    expect(readyOrder).toEqual(['db', 'app']);

    const before = processesOfRun(services.runId);
    expect(before).toHaveLength(2);
    await services.stop();
    expect(await survivors(before)).toEqual([]);
    expect(await portIsFree(dbPort)).toBe(true);
    expect(await portIsFree(appPort)).toBe(true);
  });
});


it('an AbortSignal aborted right after start() is called: nothing starts, start() rejects with the reason', async () => {
  const marker = join(tempDir(), 'started');
  const ac = new AbortController();
  const p = start({ services: { a: { command: `touch "${marker}" && exec sleep 30`, env: { TEST_MARK: testMark() } } } }, { logger: silentLogger, signal: ac.signal });
  ac.abort(new Error('user cancelled'));
  await expect(p).rejects.toThrow('user cancelled');
  await new Promise((r) => setTimeout(r, 150));
  expect(existsSync(marker)).toBe(false);
});
