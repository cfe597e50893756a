/**
 * The port policy before a service starts: what to do when its port already answers (portInUse).
 * A live cleanroom run's port is never taken; 'reuse' uses what answers; 'error' names the holder;
 * 'kill' stops the holder's tree through the kill policy. 'auto' (the default) is safe on a
 * developer's machine and strict in CI: a leftover (orphaned, or from a dead cleanroom run) is always
 * stopped; a live process with a living parent is stopped in CI, and locally reused with
 * reuseExisting: true, or named in an error with the one line to change.
 */
import type { ResolvedService } from '../config/resolve.js';
import { ServiceError } from '../errors.js';
import { liveRuns } from '../ledger/reap.js';
import type { Logger } from '../run/log.js';
import { clearPort } from './clear-port.js';
import { describeHolders, findPortHolders, type PortHolder } from './holders.js';
import { classifyHolder, inCI } from './holder-kind.js';

export type BusyPortOutcome = { action: 'cleared' } | { action: 'reuse'; holders: PortHolder[] };

/** Applies `svc.portInUse` to its port, which answers. Throws a ServiceError when the port cannot be had. */
export async function handleBusyPort(svc: ResolvedService, runId: string, log: Logger): Promise<BusyPortOutcome> {
  const port = svc.port!;
  const holders = await findPortHolders(port);
  if (svc.portInUse === 'reuse') return { action: 'reuse', holders };
  // Another cleanroom run that is still alive (another terminal, a parallel CI job) owns it: never kill.
  const owner = liveRuns(runId).find((r) => r.services.some((s) => s.port === port));
  if (owner && owner.runner.pid === process.pid) {
    throw new ServiceError(
      svc.name,
      `cannot start: port ${port} is held by an earlier start() in this same process (run ${owner.runId}) that has not been stopped`,
      `Call stop() on the earlier services first, or start them once (two Vitest projects that both list cleanroom-e2e/vitest in globalSetup start them twice).`,
    );
  }
  if (owner) {
    throw new ServiceError(
      svc.name,
      `cannot start: port ${port} belongs to another cleanroom run that is still running (run ${owner.runId}, runner pid ${owner.runner.pid}: ${owner.runner.command}, started ${owner.startedAt} in ${owner.cwd})`,
      `Wait for that run to finish, stop it, or give ${svc.name} another port. cleanroom never stops a live run's services.`,
    );
  }
  if (svc.portInUse === 'error') {
    throw new ServiceError(
      svc.name,
      `cannot start: port ${port} is already in use by ${describeHolders(holders)}`,
      `Stop that process, or set portInUse: 'kill' to have cleanroom stop it, or 'reuse' to test against it.`,
    );
  }
  if (svc.portInUse === 'auto' && !inCI()) {
    const live = holders.map((h) => ({ h, kind: classifyHolder(h.pid) })).find((x) => x.kind.kind === 'live');
    if (live && live.kind.kind === 'live') {
      if (svc.reuseExisting) return { action: 'reuse', holders };
      const parent = live.kind.parent;
      throw new ServiceError(
        svc.name,
        `cannot start: port ${port} is in use by pid ${live.h.pid} (${live.h.command || '?'}), started by pid ${parent.pid} (${parent.command || '?'}), which is still running — likely a server you started yourself`,
        `cleanroom stops such a process only in CI. To test against it, add \`reuseExisting: true\` to ${svc.name}; to have cleanroom stop it, \`portInUse: 'kill'\`; or stop it yourself.`,
      );
    }
  }
  const r = await clearPort(port, { runId, graceMs: svc.stopTimeout, log: (m) => log.warn(m), why: `is needed by ${svc.name}` });
  if (!r.free) {
    throw new ServiceError(
      svc.name,
      r.refused
        ? `cannot start: port ${port} is in use by ${describeHolders(r.holders)}, and cleanroom will not stop it: ${r.refused}`
        : `cannot start: port ${port} is in use: ${r.problem ?? 'it could not be freed'}`,
      `Stop that process yourself, or give ${svc.name} another port.`,
    );
  }
  return { action: 'cleared' };
}
