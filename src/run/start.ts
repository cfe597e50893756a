/**
 * start(): the one core API every integration wraps. Validates the config, clears ports, starts the
 * services (in parallel where no dependsOn orders them), waits until each is ready, watches them while
 * the tests run, and stops everything on stop(), on a signal, or at exit.
 */
import { resolveConfig, type ResolvedConfig, type ResolvedService } from '../config/resolve.js';
import type { CleanroomConfig } from '../config/define.js';
import { CleanroomError, formatServiceMessage, ServiceError } from '../errors.js';
import { guardRun, type SignalHandling } from '../guards/process-guards.js';
import { watchdogEnsure, watchdogIdentity, watchdogRelease, watchdogTrack, watchdogUntrack } from '../guards/watchdog.js';
import { currentBootId, removeRecord, writeRecord, type LedgerService } from '../ledger/ledger.js';
import { liveRuns, reapStaleRuns } from '../ledger/reap.js';
import { commandOf, processInfo } from '../os/process-table.js';
import { liveProcesses } from '../stop/service-tree.js';
import { clearPort } from '../ports/clear-port.js';
import { answeringHosts, isPortFree } from '../ports/probe.js';
import { describeHolders, findPortHolders } from '../ports/holders.js';
import { exitedEarlyError, fmtMs, waitReady } from '../ready/wait-ready.js';
import { describeExit, spawnService, type ExitInfo, type SpawnedService } from '../spawn/spawn-service.js';
import type { ServiceTree } from '../stop/service-tree.js';
import { stopTree, type StopResult } from '../stop/stop-tree.js';
import { stderrLogger, type Logger } from './log.js';
import { createReporter, loggerReporter } from '../report/create-reporter.js';
import type { StartupReporter } from '../report/reporter.js';
import { newRunId } from './run-id.js';
import { servicesEnv, type ServiceInfo, type ServicesInfo } from './service-env.js';

export interface StartOptions {
  /** Where cleanroom's own lines go (default: stderr). */
  logger?: Logger;
  /**
   * Who ends the process on SIGINT/SIGTERM/SIGHUP. 'auto' (default): cleanroom signals the services
   * at once; whoever else listens (a test runner, your handler) ends the process, and if no one does
   * (signal-exit's waiting listener does not count), cleanroom stops the services and re-raises the
   * signal. 'caller': you handle signals and call stop(); cleanroom acts only on a second signal
   * (SIGKILL) and at exit.
   */
  signals?: SignalHandling;
  /** Aborts a start() in progress: what was started is stopped and start() rejects with the reason. */
  signal?: AbortSignal;
  /**
   * Told as each service waits, gets ready or fails, and the teardown summary. Default: a live block on
   * stderr when it is a terminal, plain lines otherwise; with `logger`, plain lines through it.
   */
  reporter?: StartupReporter;
}

/** A service that exited while the tests ran. */
export interface ServiceExit {
  service: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The last lines it printed. */
  logTail: string[];
}

/** What stop() did. */
export interface StopSummary {
  services: StopResult[];
  /** Processes stopped, all services together. */
  processes: number;
  ms: number;
  /** Ports that still answer after the final pass (normally empty). */
  portsHeld: number[];
  /** Services that exited on their own while the tests ran. */
  failures: ServiceExit[];
}

/** The running services. `await using services = await start(config)` stops them at scope exit. */
export interface Services extends AsyncDisposable {
  readonly runId: string;
  /** `{ [name]: { url, port, pid } }` */
  readonly info: ServicesInfo;
  /** CLEANROOM_<NAME>_URL / _PORT for every service, to hand to a test process. */
  readonly env: Record<string, string>;
  /** Services that exited on their own since start (each is also reported on stderr at once). */
  readonly failures: readonly ServiceExit[];
  /** Called at once when a service exits on its own while running. */
  onFailure(fn: (exit: ServiceExit) => void): void;
  /** Stops every service, frees the ports, prints one summary line. Safe to call twice. */
  stop(): Promise<StopSummary>;
}

interface Started {
  svc: ResolvedService;
  spawned?: SpawnedService;
  tree?: ServiceTree;
  info?: ServiceInfo;
  /** With portInUse: 'reuse', a service that was already running: nothing of ours to stop. */
  reused?: boolean;
}

/** Starts every service of `config` and resolves once all are ready. */
export async function start(config: CleanroomConfig | ResolvedConfig, options: StartOptions = {}): Promise<Services> {
  const cfg = isResolved(config) ? config : resolveConfig(config);
  const log = options.logger ?? stderrLogger;
  const report = options.reporter ?? (options.logger ? loggerReporter(options.logger) : createReporter());
  const runId = newRunId();
  const started = new Map<string, Started>();
  const failures: ServiceExit[] = [];
  const failureListeners: Array<(e: ServiceExit) => void> = [];
  let stopping = false;
  let stopPromise: Promise<StopSummary> | undefined;

  options.signal?.throwIfAborted();
  const unguard = guardRun({
    signals: options.signals ?? 'auto',
    trees: () => [...started.values()].flatMap((s) => (s.tree && !s.reused ? [s.tree] : [])),
    interrupted: () => {
      stopping = true;
    },
    stoppedSync: () => removeRecord(runId),
  });

  // The ledger: what this run started, so that a later run can reap it if this one is killed together
  // with its watchdog. Rewritten (atomically) as services start and become ready.
  const ledgerServices = new Map<string, LedgerService>();
  const runner = { pid: process.pid, startTime: processInfo(process.pid)?.startTime ?? Number.NaN, command: commandOf(process.pid) };
  const startedAt = new Date().toISOString();
  const bootId = currentBootId();
  const record = () =>
    writeRecord({
      runId,
      ...(bootId && { bootId }),
      runner,
      ...(watchdogIdentity() && { watchdog: watchdogIdentity()! }),
      cwd: process.cwd(),
      startedAt,
      services: [...ledgerServices.values()],
    });
  // Before the first await: an abort that comes while stale runs are reaped must not be lost.
  const abort = new AbortController();
  const onAbort = () => abort.abort(options.signal!.reason);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  watchdogEnsure();
  await reapStaleRuns((m) => log.warn(m));

  const readyBy = new Map<string, Promise<void>>();
  const startOne = async (svc: ResolvedService): Promise<void> => {
    await Promise.all(svc.dependsOn.map((d) => readyBy.get(d)));
    abort.signal.throwIfAborted();
    const entry: Started = { svc };
    started.set(svc.name, entry);
    if (svc.port !== undefined && !(await isPortFree(svc.port))) {
      const reused = await handleBusyPort(svc, runId, log);
      if (reused) {
        Object.assign(entry, { reused: true, info: reused });
        report.reused(svc.name, reused.url);
        return;
      }
    }
    abort.signal.throwIfAborted();
    const spawned = spawnService(svc, runId, cfg.verbose);
    entry.spawned = spawned;
    if (spawned.pid <= 0) {
      await spawned.exited; // could not be spawned at all (ENOENT...): no group to track
      throw exitedEarlyError(svc, spawned);
    }
    entry.tree = {
      name: svc.name,
      runId,
      pgid: spawned.pid,
      leaderStartTime: spawned.startTime,
      stopSignal: svc.stopSignal,
      stopTimeout: svc.stopTimeout,
    };
    const tree = entry.tree;
    // Remember every process of the service (in the tree, the watchdog and the ledger), so that one
    // that later leaves every other trace can still be stopped.
    const snapshot = () => {
      tree.known = liveProcesses(tree).map((p) => ({ pid: p.pid, startTime: p.startTime }));
      watchdogTrack(tree);
      ledgerServices.set(svc.name, {
        name: svc.name,
        pgid: tree.pgid,
        leaderStartTime: tree.leaderStartTime,
        stopSignal: svc.stopSignal,
        stopTimeout: svc.stopTimeout,
        ...(svc.port !== undefined && { port: svc.port }),
        pids: tree.known,
      });
      record();
    };
    snapshot();
    report.waiting(svc.name, readyDescription(svc));
    const ready = await waitReady(svc, spawned, entry.tree, abort.signal);
    snapshot();
    entry.info = { url: await urlOf(svc, ready.host), pid: spawned.pid, ...(svc.port !== undefined && { port: svc.port }) };
    report.ready(svc.name, ready.ms, entry.info.url || undefined);
  };

  // A dependent rejects with its dependency's error (it never started): report each error once, for the service it is about.
  const reported = new WeakSet<object>();
  for (const svc of topoOrder(cfg.services)) {
    const p = startOne(svc);
    p.catch((err: unknown) => {
      const isObject = typeof err === 'object' && err !== null;
      const seen = isObject && reported.has(err);
      if (isObject) reported.add(err);
      if (!isAbort(err) && !seen) report.failed(svc.name, err instanceof ServiceError ? err.reason : String((err as Error)?.message ?? err));
      abort.abort(); // one failure stops the others from starting
    });
    readyBy.set(svc.name, p);
  }
  const results = await Promise.allSettled(readyBy.values());
  report.done();
  options.signal?.removeEventListener('abort', onAbort);
  const firstError = results.find((r): r is PromiseRejectedResult => r.status === 'rejected' && !isAbort(r.reason));
  const anyError = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');

  const stop = (): Promise<StopSummary> => {
    stopPromise ??= (async () => {
      stopping = true;
      const t0 = performance.now();
      const ours = [...started.values()].filter((s) => s.tree && !s.reused);
      const results = await Promise.all(ours.map((s) => stopTree(s.tree!)));
      for (const s of ours) {
        s.spawned?.release();
        watchdogUntrack(runId, s.svc.name);
      }
      const portsHeld = await finalPortPass(ours.map((s) => s.svc), runId, log);
      removeRecord(runId);
      watchdogRelease();
      unguard();
      const summary: StopSummary = {
        services: results,
        processes: results.reduce((n, r) => n + r.processes, 0),
        ms: performance.now() - t0,
        portsHeld,
        failures,
      };
      const ports = ours.flatMap((s) => (s.svc.port !== undefined ? [s.svc.port] : []));
      const forced = results.filter((r) => r.forced).map((r) => r.name);
      report.stopped(
        `stopped ${results.length} service${results.length === 1 ? '' : 's'} (${summary.processes} process${summary.processes === 1 ? '' : 'es'}) in ${fmtMs(summary.ms)}` +
          (forced.length ? `; SIGKILL needed for ${forced.join(', ')}` : '') +
          (ports.length ? (portsHeld.length ? `; ports still held: ${portsHeld.join(', ')}` : `; ports ${ports.join(', ')} free`) : ''),
      );
      return summary;
    })();
    return stopPromise;
  };

  if (anyError) {
    await stop();
    throw (firstError ?? anyError).reason;
  }

  // While the tests run: a service that exits on its own is reported at once.
  for (const s of started.values()) {
    s.spawned?.exited.then((exit) => {
      if (stopping) return;
      const failure = toFailure(s.svc.name, exit, s.spawned!);
      failures.push(failure);
      log.error(
        formatServiceMessage(
          s.svc.name,
          `${describeExit(exit)} while the tests were running`,
          'Tests that use it will fail; the run will end non-zero. Its output is below.',
          failure.logTail,
        ),
      );
      for (const fn of failureListeners) fn(failure);
    });
  }

  const info: ServicesInfo = Object.fromEntries([...started.values()].map((s) => [s.svc.name, s.info!]));
  return {
    runId,
    info,
    env: servicesEnv(info),
    failures,
    onFailure: (fn) => void failureListeners.push(fn),
    stop,
    [Symbol.asyncDispose]: async () => {
      await stop();
    },
  };
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

function isResolved(c: CleanroomConfig | ResolvedConfig): c is ResolvedConfig {
  return Array.isArray((c as ResolvedConfig).services);
}

function isAbort(e: unknown): boolean {
  return e instanceof Error && e.name === 'AbortError';
}

function toFailure(service: string, exit: ExitInfo, spawned: SpawnedService): ServiceExit {
  return { service, code: exit.code, signal: exit.signal, logTail: spawned.output.tail() };
}

/** Dependencies before dependents (the schema has already ruled out cycles and unknown names). */
function topoOrder(services: ResolvedService[]): ResolvedService[] {
  const byName = new Map(services.map((s) => [s.name, s]));
  const out: ResolvedService[] = [];
  const seen = new Set<string>();
  const visit = (s: ResolvedService) => {
    if (seen.has(s.name)) return;
    seen.add(s.name);
    for (const d of s.dependsOn) visit(byName.get(d)!);
    out.push(s);
  };
  services.forEach(visit);
  return out;
}

/** The base URL tests should use: the ready URL's origin, else localhost (or [::1] if only IPv6 answers). */
async function urlOf(svc: ResolvedService, host?: string): Promise<string> {
  if (svc.ready.kind === 'http') {
    const u = new URL(svc.ready.url);
    if (svc.port === undefined || Number(u.port || 80) === svc.port) return u.origin;
  }
  if (svc.port === undefined) return '';
  const hosts = host ? [host] : await answeringHosts(svc.port);
  const onlyV6 = hosts.length > 0 && !hosts.includes('127.0.0.1');
  return `http://${onlyV6 ? '[::1]' : 'localhost'}:${svc.port}`;
}

/** Applies the service's portInUse policy to a port that answers. Returns the info to use on 'reuse'. */
async function handleBusyPort(svc: ResolvedService, runId: string, log: Logger): Promise<ServiceInfo | undefined> {
  const port = svc.port!;
  const holders = await findPortHolders(port);
  if (svc.portInUse === 'reuse') {
    return { url: await urlOf({ ...svc, ready: { kind: 'none' } }), port, pid: holders[0]?.pid ?? 0 };
  }
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
  const r = await clearPort(port, { runId, graceMs: svc.stopTimeout, log: (m) => log.warn(m), why: `is needed by ${svc.name}` });
  if (!r.free) {
    throw new ServiceError(
      svc.name,
      `cannot start: port ${port} is in use by ${describeHolders(r.holders)}${r.refused ? `, and cleanroom will not stop it: ${r.refused}` : ' and could not be freed'}`,
      `Stop that process yourself, or give ${svc.name} another port.`,
    );
  }
  return undefined;
}

/** After teardown: anything still bound to a service's port is stopped; returns the ports still held. */
async function finalPortPass(services: ResolvedService[], runId: string, log: Logger): Promise<number[]> {
  const held: number[] = [];
  await Promise.all(
    services.map(async (svc) => {
      if (svc.port === undefined || (await isPortFree(svc.port))) return;
      if (svc.portInUse === 'error') {
        // This service's owner asked never to stop what is not ours: report, do not clear.
        held.push(svc.port);
        log.error(`port ${svc.port} is still held after ${svc.name} stopped, by ${describeHolders(await findPortHolders(svc.port))}`);
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

export { CleanroomError };
