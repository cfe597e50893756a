/**
 * After teardown: anything still bound to a service's port is stopped, by the same rule as before the
 * start ('auto': a leftover always, a live process with a living parent only in CI; 'error': never),
 * and what stays held is reported once, saying only what is known.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ResolvedService } from '../config/resolve.js';
import { SETTLE_MS, clearPort } from './clear-port.js';
import { classifyHolder, inCI } from './holder-kind.js';
import { describeHolders, findPortHolders, unseenHolder } from './holders.js';
import { isPortFree } from './probe.js';

interface PassLogger {
  warn(msg: string): void;
  error(msg: string): void;
}

/** True once `port` stops answering within `ms`: a holder that is exiting may hold it a moment longer. */
async function freesWithin(port: number, ms: number): Promise<boolean> {
  const deadline = performance.now() + ms;
  for (;;) {
    if (await isPortFree(port)) return true;
    if (performance.now() >= deadline) return false;
    await sleep(20);
  }
}

/** Returns the ports still held, sorted. */
export async function finalPortPass(services: ResolvedService[], runId: string, log: PassLogger): Promise<number[]> {
  const held: number[] = [];
  await Promise.all(
    services.map(async (svc) => {
      if (svc.port === undefined || (await isPortFree(svc.port))) return;
      const spare =
        svc.portInUse === 'error' ||
        (svc.portInUse === 'auto' && !inCI() && (await findPortHolders(svc.port)).some((h) => classifyHolder(h.pid).kind === 'live'));
      if (spare) {
        // Not ours to stop (portInUse 'error', or someone's live server outside CI): wait a moment, report.
        if (await freesWithin(svc.port, SETTLE_MS)) return;
        const holders = await findPortHolders(svc.port);
        held.push(svc.port);
        log.error(
          `port ${svc.port} is still held after ${svc.name} stopped: ${holders.length ? `held by ${describeHolders(holders)}` : unseenHolder(svc.port)}, which cleanroom leaves alone (portInUse: '${svc.portInUse}'${svc.portInUse === 'auto' ? ', outside CI' : ''})`,
        );
        return;
      }
      const r = await clearPort(svc.port, { runId, graceMs: 1000, log: (m) => log.warn(m), why: `was still held after ${svc.name} stopped` });
      if (!r.free) {
        held.push(svc.port);
        log.error(`port ${svc.port} is still held after teardown: ${r.problem ?? 'it still answers'}`);
      }
    }),
  );
  return held.sort((a, b) => a - b);
}
