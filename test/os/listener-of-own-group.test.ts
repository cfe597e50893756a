/**
 * The readiness ownership fast path (src/os/procfs.ts isListeningOn + socketInodes): a real server
 * process's own sockets are found listening on its port, on IPv6 dual-stack ([::], in /proc/net/tcp6)
 * and on 127.0.0.1 only (in /proc/net/tcp); not on another port, and not for a process without sockets.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, expect, it } from 'vitest';
import { isListeningOn, socketInodes } from '../../src/os/procfs.js';
import { freePort } from '../helpers/os.js';

const started: ChildProcess[] = [];
afterEach(() => {
  for (const c of started.splice(0)) c.kill('SIGKILL');
});

function server(port: number, host?: string): Promise<ChildProcess> {
  const code = `require('http').createServer((q,r)=>r.end()).listen(${port}${host ? `, ${JSON.stringify(host)}` : ''}, () => console.log('up'))`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  started.push(child);
  return new Promise((resolve) => child.stdout!.once('data', () => resolve(child)));
}

it.runIf(process.platform === 'linux')('finds the listener among its own sockets, dual-stack and IPv4-only, and only on its port', async () => {
  const [dual, v4, other] = [await freePort(), await freePort(), await freePort()];
  const a = await server(dual);
  const b = await server(v4, '127.0.0.1');
  const inodesA = socketInodes(a.pid!);
  const inodesB = socketInodes(b.pid!);
  expect(inodesA.size).toBeGreaterThan(0);
  expect(isListeningOn(dual, inodesA)).toBe(true);
  expect(isListeningOn(v4, inodesB)).toBe(true);
  expect(isListeningOn(other, inodesA)).toBe(false);
  // One server's sockets do not make it the listener of the other's port.
  expect(isListeningOn(v4, inodesA)).toBe(false);
  expect(isListeningOn(dual, new Set())).toBe(false);

  const idle = spawn(process.execPath, ['-e', 'setInterval(()=>{},1000)'], { stdio: 'ignore' });
  started.push(idle);
  await new Promise((r) => setTimeout(r, 100));
  expect(isListeningOn(dual, socketInodes(idle.pid!))).toBe(false);
});
