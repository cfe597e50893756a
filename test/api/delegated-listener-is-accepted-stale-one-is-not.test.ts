/**
 * A service whose port is bound by a daemon's child (docker-proxy under `docker compose up`, sudo,
 * systemd-run) listens from outside its own tree. The port was free when the service was spawned, so a
 * listener that appears after the spawn is the service's; stopCommand (docker compose down) is what
 * stops it at teardown. A listener that was there before the spawn is a stale squatter and still fails.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, expect, it } from 'vitest';
import { ServiceError, start } from '../../src/index.js';
import { captureLogger, stopWhenDone, tempDir } from '../helpers/api.js';
import { canConnect, freePort, portIsFree } from '../helpers/os.js';
import { startForeignHolder, type Holder } from '../helpers/spawn.js';

const DAEMON = new URL('../fixtures/daemon.mjs', import.meta.url).pathname;
const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

/** The daemon, in a group this test created and kills at the end; no cleanroom tag in its environment. */
async function startDaemon(): Promise<{ controlPort: number; pid: number }> {
  const controlPort = await freePort();
  const pidFile = join(tempDir(), 'daemon.pid');
  const env: NodeJS.ProcessEnv = { ...process.env, CONTROL_PORT: String(controlPort), PID_FILE: pidFile };
  for (const k of Object.keys(env)) if (k.startsWith('CLEANROOM_')) delete env[k];
  const child = spawn(process.execPath, [DAEMON], { detached: true, stdio: 'ignore', env });
  cleanups.push(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* gone */
    }
  });
  const deadline = Date.now() + 10_000;
  while (!existsSync(pidFile) || !(await canConnect('127.0.0.1', controlPort))) {
    if (Date.now() > deadline) throw new Error('the daemon did not start');
    await sleep(10);
  }
  return { controlPort, pid: child.pid! };
}

/** `node -e` that asks the daemon to open or close `port`, then (for 'up') stays in the foreground like `docker compose up`. */
function clientCommand(controlPort: number, action: 'up' | 'down', port: number): string[] {
  const stay = action === 'up' ? "process.on('SIGTERM', () => process.exit(0)); setInterval(() => {}, 1000);" : '';
  return [process.execPath, '-e', `fetch('http://127.0.0.1:${controlPort}/${action}?port=${port}').then((r) => r.text()).then((t) => { console.log('daemon says ' + t); ${stay} });`];
}

it('a listener that appears after the spawn, outside the tree, is accepted; stopCommand stops it at teardown', async () => {
  const daemon = await startDaemon();
  const port = await freePort();
  const { logger, text } = captureLogger();
  const services = stopWhenDone(
    await start(
      {
        verbose: true,
        services: {
          compose: {
            command: clientCommand(daemon.controlPort, 'up', port),
            port,
            ready: { url: `http://localhost:${port}/` },
            stopCommand: clientCommand(daemon.controlPort, 'down', port),
          },
        },
      },
      { logger },
    ),
  );
  expect(await canConnect('127.0.0.1', port)).toBe(true);
  expect(text('info')).toMatch(new RegExp(`:${port} is served by pid ${daemon.pid} .*outside its process tree; it began listening after compose started`));
  const summary = await services.stop();
  expect(summary.portsHeld).toEqual([]);
  expect(await portIsFree(port)).toBe(true);
  // The daemon itself is not ours: stopCommand closed its listener, nothing signalled it.
  expect(await canConnect('127.0.0.1', daemon.controlPort)).toBe(true);
});

it('a listener that was there before the spawn is a stale squatter: start() fails, naming it', async () => {
  const port = await freePort();
  const holder: Holder = await startForeignHolder(port);
  cleanups.push(() => holder.kill());
  const { logger } = captureLogger();
  // No `port` (so no port policy clears it first): only the ready URL points at the squatter's port.
  const err = await start(
    { services: { app: { command: [process.execPath, '-e', 'setInterval(() => {}, 1000)'], ready: { url: `http://localhost:${port}/` }, readyTimeout: 10_000 } } },
    { logger },
  ).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ServiceError);
  expect((err as ServiceError).message).toContain(`is not what answers on port ${port}: pid ${holder.pid}`);
  expect((err as ServiceError).message).toContain('it was listening there before app started');
  expect(await canConnect('127.0.0.1', port), 'the squatter is not ours to stop').toBe(true);
});
