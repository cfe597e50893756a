/**
 * After teardown: anything still bound to a service's port is stopped, by the same rule as before the
 * start ('auto': a leftover always, a live process with a living parent only in CI; 'error': never).
 */
import type { ResolvedService } from '../config/resolve.js';
import type { Logger } from '../run/log.js';
import { clearPort } from './clear-port.js';
import { describeHolders, findPortHolders } from './holders.js';
import { classifyHolder, inCI } from './holder-kind.js';
import { isPortFree } from './probe.js';

/** Returns the ports still held. */
export async function finalPortPass(services: ResolvedService[], runId: string, log: Logger): Promise<number[]> {
  const held: number[] = [];
  await Promise.all(
    services.map(async (svc) => {
      if (svc.port === undefined || (await isPortFree(svc.port))) return;
      const holders = await findPortHolders(svc.port);
      const spare = svc.portInUse === 'error' || (svc.portInUse === 'auto' && !inCI() && holders.some((h) => classifyHolder(h.pid).kind === 'live'));
      if (spare) {
        // This service's owner asked never to stop what is not ours: report, do not clear.
        held.push(svc.port);
        log.error(`port ${svc.port} is still held after ${svc.name} stopped, by ${describeHolders(holders)}, which cleanroom leaves alone (portInUse: '${svc.portInUse}'${svc.portInUse === 'auto' ? ', outside CI' : ''})`);
        return;
      }
      const r = await clearPort(svc.port, { runId, graceMs: 1000, log: (m) => log.warn(m), why: `was still held after ${svc.name} stopped` });
      if (!r.free) {
        held.push(svc.port);
        log.error(`port ${svc.port} is still held after teardown by ${describeHolders(r.holders)}${r.refused ? `: ${r.refused}` : ''}`);
      }
    }),
  );
  return held.sort((a, b) => a - b);
}
