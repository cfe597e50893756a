/**
 * The default port policy ('auto'): a leftover on the port (orphaned to PID 1, or from a dead
 * cleanroom run) is always stopped; a live process whose parent lives — a developer's own `npm run dev`
 * in another terminal — is stopped only in CI, and locally named in an error with the one line to
 * change, or reused with reuseExisting: true.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, expect, it, onTestFinished } from 'vitest';
import { ServiceError, start } from '../../src/index.js';
import { captureLogger, killProcs, statOf, stopWhenDone, tempDir, testMark } from '../helpers/api.js';
import { canConnect, freePort, isAlive, proc, survivors } from '../helpers/os.js';
import { SERVICE, startForeignHolder } from '../helpers/spawn.js';

const node = process.execPath;
let savedCI: string | undefined;
beforeEach(() => {
  savedCI = process.env.CI;
});
afterEach(() => {
  if (savedCI === undefined) delete process.env.CI;
  else process.env.CI = savedCI;
});

/** A server this test starts and then orphans (its shell parent exits): it is reparented to PID 1. */
async function orphanOn(port: number): Promise<{ pid: number; startTime: number }> {
  const pidFile = join(tempDir(), 'orphan.pid');
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), MARKER: pidFile };
  for (const k of Object.keys(env)) if (k.startsWith('CLEANROOM_')) delete env[k];
  spawn('sh', ['-c', `"${node}" "${SERVICE}" >/dev/null 2>&1 &`], { env, stdio: 'ignore', detached: true }); // a group of its own, not the test runner's
  const deadline = Date.now() + 10_000;
  while (!(existsSync(pidFile) && (await canConnect('127.0.0.1', port)))) {
    if (Date.now() > deadline) throw new Error('the orphan did not listen');
    await sleep(10);
  }
  const p = proc(Number(readFileSync(pidFile, 'utf8')));
  onTestFinished(() => killProcs([p]));
  while (statOf(p.pid)?.ppid !== 1 && Date.now() < deadline) await sleep(10);
  expect(statOf(p.pid)?.ppid, 'the fixture is orphaned').toBe(1);
  return p;
}

const config = (port: number, mark: string, extra: Record<string, unknown> = {}) => ({
  services: { api: { command: [node, SERVICE], port, env: { PORT: String(port), TEST_MARK: mark }, ...extra } },
});

it('a leftover orphaned to PID 1 is stopped, locally too', async () => {
  delete process.env.CI;
  const mark = testMark();
  const port = await freePort();
  const orphan = await orphanOn(port);
  const { logger, text } = captureLogger();
  const services = stopWhenDone(await start(config(port, mark), { logger }));
  expect(await survivors([orphan])).toEqual([]);
  expect(text('warn')).toContain(`held by pid ${orphan.pid}`);
  expect(services.info.api!.pid).not.toBe(orphan.pid);
});

it('locally, a live process with a living parent is named with the one line to change, and left alone', async () => {
  delete process.env.CI;
  const mark = testMark();
  const port = await freePort();
  const holder = await startForeignHolder(port); // its parent is this test process: alive
  onTestFinished(() => holder.kill());
  const err = await start(config(port, mark), { logger: captureLogger().logger }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ServiceError);
  expect((err as Error).message).toContain(`port ${port} is in use by pid ${holder.pid}`);
  expect((err as Error).message).toContain(`started by pid ${process.pid}`);
  expect((err as Error).message).toContain('add `reuseExisting: true` to api');
  expect(isAlive(holder)).toBe(true);
});

it('locally with reuseExisting: true, that live server is used and left running', async () => {
  delete process.env.CI;
  const mark = testMark();
  const port = await freePort();
  const holder = await startForeignHolder(port);
  onTestFinished(() => holder.kill());
  const services = stopWhenDone(await start(config(port, mark, { reuseExisting: true }), { logger: captureLogger().logger }));
  expect(services.info.api!.pid).toBe(holder.pid);
  await services.stop();
  expect(isAlive(holder)).toBe(true);
});

it('in CI, the same live process is stopped so the job starts clean', async () => {
  process.env.CI = 'true';
  const mark = testMark();
  const port = await freePort();
  const holder = await startForeignHolder(port);
  onTestFinished(() => holder.kill());
  const services = stopWhenDone(await start(config(port, mark, { reuseExisting: true }), { logger: captureLogger().logger }));
  expect(await survivors([holder])).toEqual([]);
  expect(services.info.api!.pid).not.toBe(holder.pid);
});
