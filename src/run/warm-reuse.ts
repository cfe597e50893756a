/**
 * Warm reuse: a test run whose service is already running from `cleanroom up` (same project, same
 * name, same definition) uses it instead of starting its own, and leaves it running at its end.
 *
 * "Already running" is checked, not assumed: the up run must be alive, and what listens on the
 * service's port must belong to that run's own service tree (never a stranger that took the port, a
 * sibling worktree's server, or whatever answers after a crash). A definition that differs is an
 * error naming what differs: tests must not run against an old server.
 */
import type { ResolvedService } from '../config/resolve.js';
import { ServiceError } from '../errors.js';
import { definitionHash, definitionSpec, describeDifferences } from '../ledger/definition-hash.js';
import type { LedgerService, RunRecord } from '../ledger/ledger.js';
import { liveRuns } from '../ledger/reap.js';
import { portHolders, type ProcStat } from '../os/process-table.js';
import { hasProcfs } from '../os/procfs.js';
import { describeHolders, findPortHolders } from '../ports/holders.js';
import { isPortFree } from '../ports/probe.js';
import { liveProcesses } from '../stop/service-tree.js';
import type { ServiceInfo } from './service-env.js';

export interface WarmService {
  info: ServiceInfo;
  run: RunRecord;
}

/** The live `up` run of this project that runs a service of this name, if any. */
export function upServiceOf(name: string, root: string, ownRunId?: string): { run: RunRecord; service: LedgerService } | undefined {
  for (const run of liveRuns(ownRunId)) {
    if (run.kind !== 'up' || run.root !== root) continue;
    const service = run.services.find((s) => s.name === name);
    if (service) return { run, service };
  }
  return undefined;
}

/** The processes of a recorded service now (its group, tagged processes, the pids it recorded). */
export function recordedServiceTree(run: RunRecord, s: LedgerService): ProcStat[] {
  return liveProcesses({
    name: s.name,
    runId: run.runId,
    pgid: s.pgid,
    leaderStartTime: s.leaderStartTime,
    stopSignal: s.stopSignal,
    stopTimeout: s.stopTimeout,
    known: s.pids,
  });
}

/** Their pids. */
export function upServiceProcesses(run: RunRecord, s: LedgerService): number[] {
  return recordedServiceTree(run, s).map((p) => p.pid);
}

/**
 * The `up` service to reuse for `svc`, or undefined (none: start our own). Throws when one runs with
 * another definition, or when its port is answered by a process outside its tree.
 */
export async function findWarmService(svc: ResolvedService, root: string, runId: string): Promise<WarmService | undefined> {
  const found = upServiceOf(svc.name, root, runId);
  if (!found) return undefined;
  const { run, service } = found;
  const wanted = definitionSpec(svc);
  if (service.definition !== definitionHash(svc)) {
    throw new ServiceError(
      svc.name,
      `is already running from \`cleanroom up\` (run ${run.upId ?? run.runId}, supervisor pid ${run.runner.pid}) with another definition:\n    ${describeDifferences(service.spec, wanted).join('\n    ')}`,
      `Run \`cleanroom restart ${svc.name}\` to restart it with this config, or \`cleanroom down ${svc.name}\` to let this run start its own.`,
    );
  }
  const tree = upServiceProcesses(run, service);
  if (tree.length === 0) return undefined; // its processes are gone (being restarted, or crashed): start our own
  if (service.port !== undefined && hasProcfs) {
    const holders = portHolders(service.port) ?? []; // undefined: this machine cannot name owners (checked by hasProcfs above)
    if (holders.length === 0 && (await isPortFree(service.port))) {
      throw new ServiceError(
        svc.name,
        `is running from \`cleanroom up\` (run ${run.upId ?? run.runId}) but nothing answers on its port ${service.port}`,
        `Run \`cleanroom restart ${svc.name}\` (its log: cleanroom logs ${svc.name}).`,
      );
    }
    const own = new Set(tree);
    if (!holders.some((pid) => own.has(pid))) {
      throw new ServiceError(
        svc.name,
        `is running from \`cleanroom up\` (run ${run.upId ?? run.runId}), but port ${service.port} is answered by ${describeHolders(await findPortHolders(service.port))}, not by that service`,
        `Tests would run against a stranger's server. Stop that process (cleanroom sweep ${service.port}), then \`cleanroom restart ${svc.name}\`.`,
      );
    }
  }
  return {
    run,
    info: { url: service.url ?? '', pid: service.pgid, ...(service.port !== undefined && { port: service.port }) },
  };
}
