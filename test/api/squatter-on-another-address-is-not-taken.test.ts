/**
 * A stale server that listens on the service's port at an address the free-port check does not try
 * (127.0.0.2, a LAN address: isPortFree() connects to 127.0.0.1 and ::1 only) is still a squatter:
 * the service's ready check reaching it must not be taken for the service. Regression: service-start.ts
 * skipped the listenersBefore() read when isPortFree() said "free", so the squatter looked like a
 * listener that appeared after the spawn (the docker-proxy case) and was accepted as delegated. A log
 * line (or check()) passing while the squatter holds the port is the same case.
 */
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, expect, it } from 'vitest';
import { ServiceError, start } from '../../src/index.js';
import { captureLogger } from '../helpers/api.js';
import { canConnect, freePort } from '../helpers/os.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

/** A plain HTTP server on 127.0.0.2:port in a group of its own, without any cleanroom tag. */
async function squatter(port: number): Promise<number> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('CLEANROOM_')) delete env[k];
  const child = spawn(process.execPath, ['-e', `require('http').createServer((q, s) => s.end('stale')).listen(${port}, '127.0.0.2')`], { detached: true, stdio: 'ignore', env });
  cleanups.push(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* gone */
    }
  });
  const deadline = Date.now() + 10_000;
  while (!(await canConnect('127.0.0.2', port))) {
    if (Date.now() > deadline) throw new Error('the squatter did not listen');
    await sleep(10);
  }
  expect(await canConnect('127.0.0.1', port), 'the free-port check cannot see it').toBe(false);
  return child.pid!;
}

for (const ready of ['tcp', 'http', 'log'] as const) {
  it(`a squatter on 127.0.0.2:port, there before the spawn, is not taken for the service (${ready} check)`, async () => {
    const port = await freePort();
    const pid = await squatter(port);
    const { logger } = captureLogger();
    const result = await start(
      {
        verbose: true,
        services: {
          app: {
            command: [process.execPath, '-e', "console.log('ready'); setInterval(() => {}, 1000)"], // never listens
            port,
            ready: ready === 'tcp' ? { port, host: '127.0.0.2' } : ready === 'http' ? `http://127.0.0.2:${port}/` : { log: /ready/ },
            readyTimeout: 8_000,
          },
        },
      },
      { logger },
    ).catch((e: unknown) => e);
    if (!(result instanceof Error)) await (result as { stop(): Promise<unknown> }).stop();
    expect(result).toBeInstanceOf(ServiceError);
    expect((result as ServiceError).message).toContain(`is not what answers on port ${port}: pid ${pid}`);
  });
}
