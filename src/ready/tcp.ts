import { canConnect } from '../ports/probe.js';
import type { ReadyProbe } from './probe.js';

/** Ready when a TCP connect succeeds on any of `hosts` (by default both 127.0.0.1 and ::1). */
export function tcpProbe(port: number, hosts: string[]): ReadyProbe {
  return {
    describe: `TCP connect to :${port} on ${hosts.join(' or ')}`,
    async attempt() {
      const results = await Promise.all(hosts.map((h) => canConnect(h, port, 500)));
      const i = results.indexOf(true);
      return i >= 0 ? { ok: true, host: hosts[i]! } : { ok: false, refused: true, detail: 'connection refused' };
    },
  };
}
