/**
 * Is anything listening? A connect probe is far cheaper than finding out who holds a port, so the
 * lookup (ports/holders.ts) runs only when something answers.
 */
import { connect } from 'node:net';
import { LOOPBACK } from '../config/resolve.js';

/** Resolves true when a TCP connect to host:port succeeds within `timeoutMs`. */
export function canConnect(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.removeAllListeners();
      socket.on('error', () => {});
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** The loopback addresses (of `hosts`) where something answers on `port`. */
export async function answeringHosts(port: number, hosts: string[] = LOOPBACK): Promise<string[]> {
  const results = await Promise.all(hosts.map((h) => canConnect(h, port)));
  return hosts.filter((_, i) => results[i]);
}

/** True when nothing answers on `port` on any loopback address. */
export async function isPortFree(port: number): Promise<boolean> {
  return (await answeringHosts(port)).length === 0;
}
