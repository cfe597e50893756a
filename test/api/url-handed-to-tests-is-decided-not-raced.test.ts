/**
 * The URL handed to tests comes from what is known — the ready URL when it names the port (with the
 * scheme's default port: 443 for https), else the addresses the socket really listens on — never from
 * a connect race that a loaded machine can lose.
 */
import { createServer, type Server } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { resolveConfigAsync } from '../../src/config/resolve.js';
import { serviceUrl } from '../../src/run/url.js';
import { freePort } from '../helpers/os.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

function listen(port: number, host?: string): Promise<void> {
  const s = createServer();
  servers.push(s);
  return new Promise((resolve, reject) => {
    s.once('error', reject);
    s.listen(host === undefined ? { port } : { port, host }, () => resolve());
  });
}

async function svc(extra: Record<string, unknown>) {
  return (await resolveConfigAsync({ services: { s: { command: 'true', ...extra } } })).services[0]!;
}

it('dual-stack (Node\'s default listen) → localhost, even when the probe says only one host answered', async () => {
  const port = await freePort();
  await listen(port);
  expect(await serviceUrl(await svc({ port }), '::1')).toBe(`http://localhost:${port}`);
});

it('IPv4 loopback only → localhost; IPv6 loopback only → [::1]', async () => {
  const [v4, v6] = [await freePort(), await freePort()];
  await listen(v4, '127.0.0.1');
  await listen(v6, '::1');
  expect(await serviceUrl(await svc({ port: v4 }))).toBe(`http://localhost:${v4}`);
  expect(await serviceUrl(await svc({ port: v6 }))).toBe(`http://[::1]:${v6}`);
});

it('an https ready URL without a port means 443', async () => {
  expect(await serviceUrl(await svc({ port: 443, ready: 'https://localhost/health' }))).toBe('https://localhost');
  expect(await serviceUrl(await svc({ port: 80, ready: 'http://localhost/health' }))).toBe('http://localhost');
});
