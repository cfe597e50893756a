/**
 * A port that answers while no process cleanroom can see holds it (here: a listening socket in flight
 * over a unix socketpair, held by no file descriptor, as a holder that is exiting looks for a moment).
 * It may be freeing: cleanroom re-checks for up to a second before calling it held, and when it is
 * still held it says so once, and only what it knows. Real sockets, a real python process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { start } from '../../src/index.js';
import { captureLogger, stopWhenDone, testMark, waitFor } from '../helpers/api.js';
import { canConnect, freePort, portIsFree, proc, survivors } from '../helpers/os.js';
import { SERVICE } from '../helpers/spawn.js';

const GHOST = fileURLToPath(new URL('../fixtures/ghost-listener.py', import.meta.url));
const node = process.execPath;

/** The ghost listener on 127.0.0.1:port; `release()` frees the port `releaseS` seconds later. */
async function ghostOn(port: number, releaseS: number): Promise<{ child: ChildProcess; release: () => void; released: Promise<void> }> {
  const child = spawn('python3', [GHOST, String(port), String(releaseS)], { detached: true, stdio: ['pipe', 'pipe', 'inherit'] });
  onTestFinished(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL'); // the group this test created
    } catch {
      /* gone */
    }
  });
  let out = '';
  const released = new Promise<void>((resolve) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += String(d);
      if (out.includes('released')) resolve();
    });
  });
  await waitFor('the ghost listener', () => out.includes('ghost ready'), 10_000);
  expect(await canConnect('127.0.0.1', port), 'the ghost answers').toBe(true);
  return { child, release: () => child.stdin!.write('go\n'), released };
}

describe('a port no visible process holds', () => {
  it('start(): a port that frees within a second is waited for, not refused', async () => {
    const mark = testMark();
    const port = await freePort();
    const ghost = await ghostOn(port, 0.3);
    const { logger, text } = captureLogger();
    ghost.release();
    const services = stopWhenDone(
      await start({ services: { api: { command: [node, SERVICE], port, env: { PORT: String(port), TEST_MARK: mark } } } }, { logger }),
    );
    await ghost.released;
    expect(text('error')).toBe('');
    const summary = await services.stop();
    expect(summary.portsHeld).toEqual([]);
  });

  it('final pass: a port that frees within a second after teardown is not reported held', async () => {
    const mark = testMark();
    const port = await freePort();
    const { logger, text } = captureLogger();
    // The service listens on [::1] only, so the ghost can take 127.0.0.1 of the same port while it runs.
    const services = stopWhenDone(
      await start({ services: { api: { command: [node, SERVICE], port, env: { PORT: String(port), HOST: '::1', TEST_MARK: mark } } } }, { logger }),
    );
    const leader = proc(services.info.api!.pid);
    const ghost = await ghostOn(port, 0.3);
    ghost.release();
    const summary = await services.stop();
    expect(await survivors([leader])).toEqual([]);
    expect(summary.portsHeld).toEqual([]);
    expect(text('error')).toBe('');
    expect(await portIsFree(port)).toBe(true);
  });

  it('final pass: a port still held says so once, and says what is known', async () => {
    const mark = testMark();
    const port = await freePort();
    const { logger, lines } = captureLogger();
    const services = stopWhenDone(
      await start({ services: { api: { command: [node, SERVICE], port, env: { PORT: String(port), HOST: '::1', TEST_MARK: mark } } } }, { logger }),
    );
    await ghostOn(port, 60); // never released during the test
    const summary = await services.stop();
    expect(summary.portsHeld).toEqual([port]);
    const errors = lines.filter((l) => l.level === 'error').map((l) => l.msg);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(`something still answers on :${port}, but no process on this machine that cleanroom can see holds it`);
    expect(errors[0]!.split(`:${port}`).length - 1, 'the port is named once, not twice').toBe(1);
  });
});
