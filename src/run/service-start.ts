/**
 * One service's start: the port policy, the spawn, tracking (guards, watchdog, ledger), readiness,
 * and the URL handed to tests. What it leaves in its ServiceRun is all start() needs later.
 */
import { LOOPBACK, type ResolvedService } from '../config/resolve.js';
import { definitionSpec, hashSpec } from '../ledger/definition-hash.js';
import { withAutoPort } from '../ports/auto-port.js';
import { handleBusyPort } from '../ports/busy-port.js';
import { applyCaptured } from '../ready/captured.js';
import { findWarmService } from './warm-reuse.js';
import { isPortFree } from '../ports/probe.js';
import { listenersBefore, ownedPort } from '../ready/ownership.js';
import { exitedEarlyError, waitReady } from '../ready/wait-ready.js';
import type { StartupReporter } from '../report/reporter.js';
import { spawnService, type SpawnedService } from '../spawn/spawn-service.js';
import type { ServiceTree } from '../stop/service-tree.js';
import type { Logger } from './log.js';
import type { ServiceInfo } from './service-env.js';
import type { Tracker } from './tracker.js';
import { serviceUrl } from './url.js';
import { trace } from './trace.js';

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
  /** The config's root (warm reuse matches `cleanroom up` runs of the same project). */
  root: string;
  /** Use `cleanroom up`'s service when its definition is the same. */
  warmReuse: boolean;
  /** Where a service's output also goes (`cleanroom up`). */
  logFile?: (service: string) => string;
  tracker: Tracker;
  log: Logger;
  report: StartupReporter;
  abort: AbortSignal;
}

export async function startService(run: ServiceRun, ctx: StartContext): Promise<void> {
  const declared = run.svc;
  trace(`${declared.name}: start`);
  // Warm reuse: the same service, by definition, already running from `cleanroom up` (warm-reuse.ts).
  if (ctx.warmReuse) {
    const warm = await findWarmService(declared, ctx.root, ctx.runId);
    if (warm) {
      run.info = warm.info;
      run.state = 'reused';
      ctx.log.info(
        `${declared.name} is already running from \`cleanroom up\` (run ${warm.run.upId ?? warm.run.runId}) with the same definition: using it${warm.info.url ? ` at ${warm.info.url}` : ''}, and leaving it running`,
      );
      ctx.report.reused(declared.name, warm.info.url);
      return;
    }
  }
  trace(`${declared.name}: warm reuse looked up`);
  const spec = definitionSpec(declared);
  const definition = hashSpec(spec);
  const svc = await withAutoPort(declared, ctx.runId); // port: 'auto' gets its port here
  run.svc = svc;
  const logFile = ctx.logFile?.(svc.name);
  const portWasFree = svc.port !== undefined && (await isPortFree(svc.port));
  if (svc.port !== undefined && !portWasFree) {
    const outcome = await handleBusyPort(svc, ctx.runId, ctx.log);
    if (outcome.action === 'reuse') {
      const url = await serviceUrl({ ...svc, ready: { kind: 'none' } });
      run.info = { url, port: svc.port, pid: outcome.holders[0]?.pid ?? 0 };
      run.state = 'reused';
      ctx.report.reused(svc.name, url);
      return;
    }
  }
  trace(`${svc.name}: port policy done`);
  ctx.abort.throwIfAborted();
  // What listened on the port before the service (a stale squatter is never taken for it). When the
  // port check has just found nothing answering there, and the ready check can reach only what that
  // check tried (127.0.0.1, ::1), that is nothing: no look at /proc's socket tables (~6 ms) before
  // the spawn. A ready check at another address (127.0.0.2, a LAN address) or by log line / check()
  // could meet a squatter the port check could not see: then look.
  const owned = ownedPort(svc);
  const before = portWasFree && owned === svc.port && readyReachesOnlyLoopback(svc) ? new Set<string>() : listenersBefore(owned);
  const spawned = spawnService(svc, ctx.runId, ctx.verbose, logFile);
  run.spawned = spawned;
  trace(`${svc.name}: spawned`);
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
  // Just spawned: its leader is all it has (the snapshot of its whole tree is taken once it is ready).
  tree.known = [{ pid: spawned.pid, startTime: spawned.startTime }];
  ctx.tracker.track(tree, { ...(svc.port !== undefined && { port: svc.port }), definition, spec, ...(logFile && { logFile }) }, { scan: false });
  trace(`${svc.name}: tracked`);
  // One turn before the readiness wait begins: the other services whose port checks have just
  // answered are spawned first (their boot is what everyone waits for), not after this one's first probe.
  await new Promise((resolve) => setImmediate(resolve));
  ctx.report.waiting(svc.name, readyDescription(svc));
  const ready = await waitReady(svc, spawned, tree, ctx.abort, {
    listenersBefore: before,
    ...(ctx.verbose && { log: (m: string) => ctx.log.info(m) }),
  });
  trace(`${svc.name}: ready`);
  run.info = { url: await serviceUrl(svc, ready.host), pid: spawned.pid, ...(svc.port !== undefined && { port: svc.port }) };
  if (ready.captured) {
    // The port or URL a log line told (ready: { log } with a named group: captured.ts).
    const c = await applyCaptured(svc, ready.captured, tree);
    run.svc = c.svc;
    run.info = { url: c.url ?? run.info.url, pid: spawned.pid, ...(c.svc.port !== undefined && { port: c.svc.port }) };
  }
  trace(`${svc.name}: url decided`);
  // Every process it has once ready, and what tests get, for the ledger: just after start() resolves
  // (refreshSoon), as it is not needed before the tests begin.
  ctx.tracker.refreshSoon(svc.name, { ...(run.svc.port !== undefined && { port: run.svc.port }), ...(run.info.url && { url: run.info.url }), readyAt: new Date().toISOString() });
  run.state = 'ready';
  trace(`${svc.name}: its tree recorded`);
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

/** Hosts that reach only a listener on 127.0.0.1, ::1 or a wildcard address: what isPortFree() tries. */
const PORT_CHECKED_HOSTS = new Set(['localhost', ...LOOPBACK, '[::1]']);

/** The ready check connects only where isPortFree() looked, so "free" there means it can meet no squatter. */
function readyReachesOnlyLoopback(svc: ResolvedService): boolean {
  const r = svc.ready;
  if (r.kind === 'tcp') return r.hosts.every((h) => PORT_CHECKED_HOSTS.has(h));
  if (r.kind === 'http') return PORT_CHECKED_HOSTS.has(new URL(r.url).hostname);
  return false;
}
