/**
 * /proc/net/tcp{,6} are read with as few read() calls as the table needs (src/os/procfs.ts
 * readProcNet): with more listening sockets than one kernel buffer holds (4 KB, ~25 rows), every one
 * of them is still found, on both families, exactly as a full readFileSync parse finds them.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { afterAll, expect, it } from 'vitest';
import { listeningInodes } from '../../src/os/procfs.js';
import { freePort } from '../helpers/os.js';

const servers: Server[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

function listen(port: number, host: string): Promise<void> {
  const s = createServer();
  servers.push(s);
  return new Promise((resolve, reject) => {
    s.once('error', reject);
    s.listen({ port, host, exclusive: true }, () => resolve());
  });
}

/** The inodes listening on `port`, by a full readFileSync of both files (the reference). */
function reference(port: number): Set<string> {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const out = new Set<string>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols[3] === '0A' && cols[1]?.endsWith(hex)) out.add(cols[9]!);
    }
  }
  return out;
}

it.runIf(process.platform === 'linux')('finds all of 40 IPv4 and 40 IPv6 listeners: more rows than one read returns', async () => {
  const ports: number[] = [];
  for (let i = 0; i < 40; i++) {
    const port = await freePort();
    await listen(port, '127.0.0.1');
    await listen(port, '::1');
    ports.push(port);
  }
  // The tables really are longer than one kernel buffer, or this test proves nothing.
  expect(readFileSync('/proc/net/tcp', 'utf8').length).toBeGreaterThan(4096);
  expect(readFileSync('/proc/net/tcp6', 'utf8').length).toBeGreaterThan(4096);
  for (const port of ports) {
    const found = listeningInodes(port);
    expect(found.size, `port ${port}`).toBe(2);
    expect(found).toEqual(reference(port));
  }
});
