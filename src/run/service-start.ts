/**
 * One service's start: the port policy, the spawn, tracking (guards, watchdog, ledger), readiness,
 * and the URL handed to tests. What it leaves in its ServiceRun is all start() needs later.
 */
import type { ResolvedService } from '../config/resolve.js';
import { handleBusyPort } from '../ports/busy-port.js';
import { isPortFree } from '../ports/probe.js';
import { listenersBefore, ownedPort } from '../ready/ownership.js';
import { exitedEarlyError, fmtMs, waitReady } from '../ready/wait-ready.js';
import type { StartupReporter } from '../report/reporter.js';
import { spawnService, type SpawnedService } from '../spawn/spawn-service.js';
import type { ServiceTree } from '../stop/service-tree.js';
import type { Logger } from './log.js';
import type { ServiceInfo } from './service-env.js';
import type { Tracker } from './tracker.js';
import { serviceUrl } from './url.js';

/** Where a service is in its life. */
export type ServiceState = 'starting' | 'ready' | 'reused' | 'failed' | 'exited' | 'stopped';

export interface ServiceRun {
  svc: ResolvedService;
  state: ServiceState;
  spawned?: SpawnedService;
  tree?: ServiceTree;
  info?: ServiceInfo;
}

export interface StartContext {
  runId: string;
  verbose: boolean;
  tracker: Tracker;
  log: Logger;
  report: StartupReporter;
  abort: AbortSignal;
}

export async function startService(run: ServiceRun, ctx: StartContext): Promise<void> {
  const { svc } = run;
  if (svc.port !== undefined && !(await isPortFree(svc.port))) {
    const outcome = await handleBusyPort(svc, ctx.runId, ctx.log);
    if (outcome.action === 'reuse') {
      const url = await serviceUrl({ ...svc, ready: { kind: 'none' } });
      run.info = { url, port: svc.port, pid: outcome.holders[0]?.pid ?? 0 };
      run.state = 'reused';
      ctx.log.info(`${svc.name} reuses what already answers on :${svc.port} (${svc.portInUse === 'reuse' ? "portInUse: 'reuse'" : 'reuseExisting: true'})`);
      ctx.report.reused(svc.name, url);
      return;
    }
  }
  ctx.abort.throwIfAborted();
  const before = listenersBefore(ownedPort(svc));
  const spawned = spawnService(svc, ctx.runId, ctx.verbose);
  run.spawned = spawned;
  if (spawned.pid <= 0) {
    await spawned.exited; // could not be spawned at all (ENOENT...): no group to track
    throw exitedEarlyError(svc, spawned);
  }
  const tree: ServiceTree = {
    name: svc.name,
    runId: ctx.runId,
    pgid: spawned.pid,
    leaderStartTime: spawned.startTime,
    stopSignal: svc.stopSignal,
    stopTimeout: svc.stopTimeout,
    ...(svc.stopCommand && { stopCommand: { ...svc.stopCommand, cwd: svc.cwd, env: svc.env } }),
  };
  run.tree = tree;
  ctx.tracker.track(tree, svc.port);
  ctx.report.waiting(svc.name, readyDescription(svc));
  const ready = await waitReady(svc, spawned, tree, ctx.abort, {
    listenersBefore: before,
    ...(ctx.verbose && { log: (m: string) => ctx.log.info(m) }),
  });
  ctx.tracker.refresh(svc.name); // every process it has once ready
  run.info = { url: await serviceUrl(svc, ready.host), pid: spawned.pid, ...(svc.port !== undefined && { port: svc.port }) };
  run.state = 'ready';
  ctx.log.info(`${svc.name} ready${svc.port !== undefined ? ` on :${svc.port}` : ''} in ${fmtMs(ready.ms)}`);
  ctx.report.ready(svc.name, ready.ms, run.info.url || undefined);
}

/** What readiness waits for, in words, for the live status. */
function readyDescription(svc: ResolvedService): string {
  const r = svc.ready;
  switch (r.kind) {
    case 'http':
      return `GET ${r.url}`;
    case 'tcp':
      return `TCP :${r.port}`;
    case 'log':
      return `a log line matching ${r.pattern}`;
    case 'check':
      return 'ready.check()';
    case 'none':
      return 'spawn';
  }
}
