/**
 * start(): the one core API every integration wraps. A run goes through explicit states:
 *
 *   starting → running → stopping → stopped
 *
 * starting: the config is validated, stale runs are reaped, and each service is started (port policy,
 * spawn, tracking, readiness) as soon as what it dependsOn is ready; one failure stops the rest.
 * running: a service that exits on its own is a failure, reported at once. stopping: stop(), a signal
 * or the exit; what exits now is expected. stopped: every tree gone, ports passed, the record removed.
 */
import { resolveConfig, type ResolvedConfig } from '../config/resolve.js';
import { validateStartOptions } from '../config/start-options.js';
import type { CleanroomConfig } from '../config/define.js';
import { CleanroomError, formatServiceMessage, InterruptedError, ServiceError } from '../errors.js';
import { alreadySignalled, type SignalHandling } from '../guards/process-guards.js';
import type { RunKind } from '../ledger/ledger.js';
import { reapStaleRuns } from '../ledger/reap.js';
import { commandOf, processInfo, taggedProcesses } from '../os/process-table.js';
import { finalPortPass } from '../ports/final-pass.js';
import { fmtMs } from '../ready/wait-ready.js';
import { assertSupportedPlatform } from '../os/platform.js';
import { createReporter, loggerReporter } from '../report/create-reporter.js';
import { guardedReporter, type StartupReporter } from '../report/reporter.js';
import { describeExit } from '../spawn/spawn-service.js';
import { tagEnv } from '../spawn/tag-env.js';
import type { ServiceTree } from '../stop/service-tree.js';
import { stopTrees, type StopResult } from '../stop/stop-tree.js';
import { stderrLogger, type Logger } from './log.js';
import { newRunId } from './run-id.js';
import { startInOrder } from './schedule.js';
import { startService, type ServiceRun } from './service-start.js';
import { servicesEnv, type ServicesInfo } from './service-env.js';
import { Tracker } from './tracker.js';
import { watchPort } from './watch.js';
import { trace } from './trace.js';

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
  /**
   * How to end the caller's run when a service dies or stops answering during the tests and the
   * config's onServiceExit is 'end-run' (the default). The Vitest and Playwright integrations and
   * `cleanroom run` pass theirs; without one, a failure is reported (and given to onFailure) only.
   */
  endRun?: (failure: ServiceExit) => void;
  /** How the run is recorded in the ledger: 'up' (the supervisor of `cleanroom up`) or 'test' (default). */
  kind?: RunKind;
  /** The `cleanroom up` invocation this start() belongs to (it runs one start() per service). */
  upId?: string;
  /** Also append each service's output to this file (the services of `cleanroom up`). */
  logFile?: (service: string) => string;
  /**
   * Use a service already running from `cleanroom up` in this project when its definition is the same
   * (and the listener on its port is its own), and leave it running. Default: true, except for 'up'.
   */
  warmReuse?: boolean;
}

/** A service that exited, or stopped answering on its port, while the tests ran. */
export interface ServiceExit {
  service: string;
  /** What happened, in words: "exited with code 7", "stopped answering on :3001 (node … exited; nodemon … still running)". */
  reason: string;
  /** The leader's exit code or signal; both null when the service stopped answering but its leader lives. */
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
  /** Processes of this run still alive after the stop (normally none): the leak check. */
  left: Array<{ pid: number; command: string }>;
}

/** A process the caller started as part of the run (`cleanroom run`'s command), stopped with it. */
export interface AdoptedProcess {
  /** A name for messages, e.g. '(command)'. */
  name: string;
  /** Its pid; it must lead its own process group (spawned detached). */
  pid: number;
  /** Default SIGTERM. */
  stopSignal?: NodeJS.Signals;
  /** Default 2000 ms. */
  stopTimeout?: number;
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
  /**
   * Called when a service exits on its own while running; also called at once for failures that
   * happened before it was added. A callback that throws is reported, never crashes the runner.
   */
  onFailure(fn: (exit: ServiceExit) => void | Promise<void>): void;
  /**
   * The environment tags to give a process you start as part of the run, so every descendant of it
   * is found and stopped with the run (pass it to `adopt` once spawned).
   */
  tagEnv(name: string): Record<string, string>;
  /**
   * Puts a process you started (detached, with `tagEnv`) under the run's guards, watchdog and ledger:
   * it is stopped — before the services, which it may still be using — by stop(), a signal, the exit,
   * or the watchdog.
   */
  adopt(proc: AdoptedProcess): void;
  /** Stops every service, frees the ports, prints one summary line. Safe to call twice. */
  stop(): Promise<StopSummary>;
}

type RunState = 'starting' | 'running' | 'stopping' | 'stopped';

/** Starts every service of `config` and resolves once all are ready. */
export async function start(config: CleanroomConfig | ResolvedConfig, options: StartOptions = {}): Promise<Services> {
  trace('start() called');
  assertSupportedPlatform();
  await validateStartOptions(config, options); // a ConfigError, never a TypeError, before anything starts
  trace('start options checked');
  const cfg = isResolved(config) ? config : resolveConfig(config);
  trace('config resolved');
  const log = options.logger ?? stderrLogger;
  const report = guardedReporter(options.reporter ?? (options.logger ? loggerReporter(options.logger) : createReporter()), (m) => log.error(m));
  const runId = newRunId();
  let state: RunState = 'starting';
  /** The signal (or exit) that interrupted the run, when one did. */
  let interruptedBy: NodeJS.Signals | 'exit' | undefined;
  /** The interruption came while the services were starting. */
  let wasStarting = false;
  const runs = new Map<string, ServiceRun>(cfg.services.map((svc) => [svc.name, { svc, state: 'starting' }]));
  const adopted: ServiceTree[] = [];
  /** Stops the port watchers (see watch.ts). */
  const unwatch: Array<() => void> = [];
  const failures: ServiceExit[] = [];
  const failureListeners: Array<(e: ServiceExit) => void | Promise<void>> = [];
  const notify = (fn: (e: ServiceExit) => void | Promise<void>, f: ServiceExit) =>
    void Promise.resolve()
      .then(() => fn(f))
      .catch((err: unknown) => log.error(`an onFailure callback threw while handling ${f.service}'s exit: ${(err as Error)?.message ?? String(err)}`));

  options.signal?.throwIfAborted();
  // Before the first await: an abort that comes while stale runs are reaped must not be lost.
  const abort = new AbortController();
  const onAbort = () => abort.abort(options.signal!.reason);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const kind: RunKind = options.kind ?? 'test';
  const tracker = new Tracker({
    runId,
    warn: (m) => log.warn(m),
    kind,
    ...(options.upId && { upId: options.upId }),
    root: cfg.root,
    signals: options.signals ?? 'auto',
    interrupted: (signal) => {
      interruptedBy ??= signal;
      if (state === 'starting') {
        wasStarting = true;
        abort.abort(); // nothing more starts; what is starting is not a failure
      }
      if (state !== 'stopped') state = 'stopping';
    },
    // The runner is exiting and the guards stopped everything: one true summary line all the same.
    stoppedSync: (results, allGone) => {
      const trees = [...runs.values()].flatMap((r) => (r.tree ? [r.tree] : []));
      if (trees.length === 0) return;
      const shuttingDown = results.reduce((n, r) => n + r.survivors.length, 0);
      report.stopped(
        `${interruptedBy && interruptedBy !== 'exit' ? `interrupted by ${interruptedBy}` : 'the runner is exiting'}${wasStarting ? ' while the services were starting' : ''}: ` +
          `stopped ${plural(trees.length, 'service')} (${plural(processCount(trees, results), 'process', 'processes')})` +
          (allGone ? '; 0 left' : `; ${shuttingDown || 'some'} still shutting down, left to the watchdog (SIGKILL after their stopTimeout)`),
      );
    },
  });

  trace('tracker (guards, watchdog) ready');
  let stopPromise: Promise<StopSummary> | undefined;
  const stop = (): Promise<StopSummary> => {
    stopPromise ??= (async () => {
      state = 'stopping';
      tracker.stopping();
      for (const u of unwatch) u();
      const t0 = performance.now();
      trace('stop() called');
      // What the caller adopted first: it may be using the services until its last moment.
      // What a signal guard already signalled (Ctrl+C, then Playwright's teardown) does not get it twice.
      await stopTrees(adopted, alreadySignalled);
      for (const t of adopted) tracker.untrack(t.name);
      const ours = [...runs.values()].filter((r) => r.tree);
      const results = await stopTrees(ours.map((r) => r.tree!), alreadySignalled);
      trace('services stopped');
      for (const r of results) if (r.problem) log.warn(r.problem);
      // A service that exited on its own was not stopped by us: only what the stop itself saw of it counts.
      const counted = ours.filter((r) => r.state !== 'failed' && r.state !== 'exited').map((r) => r.tree!);
      for (const r of ours) {
        r.spawned?.release();
        tracker.untrack(r.svc.name);
        if (r.state !== 'exited' && r.state !== 'failed') r.state = 'stopped';
      }
      const portsHeld = await finalPortPass(ours.map((r) => r.svc), runId, log);
      trace('final port pass done');
      // The leak check: anything still carrying this run's tag outlived its stop.
      const left = taggedProcesses(runId).map((p) => ({ pid: p.pid, command: commandOf(p.pid) }));
      trace('leak check done');
      tracker.close();
      trace('tracker closed');
      state = 'stopped';
      const summary: StopSummary = {
        services: results,
        // A service that exited on its own was not stopped by us: only what the stop itself saw of it counts.
        processes: processCount(counted, results),
        ms: performance.now() - t0,
        portsHeld,
        failures,
        left,
      };
      report.stopped(summaryLine(summary, ours.flatMap((r) => (r.svc.port !== undefined ? [r.svc.port] : []))));
      if (left.length) log.error(`still running after the stop: ${left.map((p) => `pid ${p.pid} (${p.command || '?'})`).join(', ')}`);
      return summary;
    })();
    return stopPromise;
  };

  let outcomes: Array<{ name?: string; result: PromiseSettledResult<void> }>;
  try {
    // The ledger is a safety net: a broken one is reported, and never stops a run from starting.
    await reapStaleRuns((m) => log.warn(m)).catch((err: unknown) => log.warn(`could not reap stale runs: ${(err as Error)?.message ?? String(err)}`));
    trace('stale runs reaped');
    const ctx = {
      runId,
      verbose: cfg.verbose,
      root: cfg.root,
      tracker,
      log,
      report,
      abort: abort.signal,
      warmReuse: kind !== 'up' && options.warmReuse !== false,
      ...(options.logFile && { logFile: options.logFile }),
    };
    outcomes = await startInOrder(cfg.services, (svc) => startService(runs.get(svc.name)!, ctx), abort);
  } catch (err) {
    outcomes = [{ result: { status: 'rejected', reason: err } }];
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
  // A dependent of a failed service rejects with its dependency's error: report each error once.
  const reported = new WeakSet<object>();
  for (const { name, result: r } of outcomes) {
    const run = name === undefined ? undefined : runs.get(name);
    // Interrupted (a signal, or the caller's abort): the services killed by our own stop signal did not fail.
    const interrupted = interruptedBy !== undefined || (options.signal?.aborted ?? false);
    if (r.status === 'rejected' && run && !interrupted && !isAbort(r.reason) && !(typeof r.reason === 'object' && r.reason && reported.has(r.reason))) {
      if (typeof r.reason === 'object' && r.reason) reported.add(r.reason);
      run.state = 'failed';
      report.failed(run.svc.name, r.reason instanceof ServiceError ? r.reason.reason : String((r.reason as Error)?.message ?? r.reason));
    }
  }
  const results = outcomes.map((o) => o.result);
  // Ready is not enough: a service that exited in the meantime (between its ready check and now) fails the start.
  const diedSinceReady = [...runs.values()].find((r) => r.spawned?.exitInfo && r.state === 'ready');
  report.done();
  const firstError = results.find((r): r is PromiseRejectedResult => r.status === 'rejected' && !isAbort(r.reason));
  const anyError = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (anyError || diedSinceReady || interruptedBy) {
    await stop();
    // Ctrl+C while starting: a service killed by our own stop signal did not fail; say what happened.
    if (interruptedBy) throw new InterruptedError(interruptedBy, [...runs.values()].filter((r) => r.tree).map((r) => r.svc.name));
    if (anyError) throw (firstError ?? anyError).reason;
    const r = diedSinceReady!;
    throw new ServiceError(
      r.svc.name,
      `${describeExit(r.spawned!.exitInfo!)} right after it was ready`,
      'It passed its ready check, then exited before the tests began. Its output is below.',
      r.spawned!.output.excerpt(),
    );
  }

  // While the tests run: a service that exits on its own, or stops answering on its port, is a failure,
  // reported at once; with onServiceExit: 'end-run' the caller's run is ended too.
  if (state === 'starting') state = 'running';
  let ending = false;
  const fail = (r: ServiceRun, failure: ServiceExit) => {
    if (state !== 'running' || r.state === 'exited') return;
    r.state = 'exited';
    failures.push(failure);
    log.error(
      formatServiceMessage(
        r.svc.name,
        `${failure.reason} while the tests were running`,
        cfg.onServiceExit === 'end-run' && options.endRun
          ? 'Ending the run now (onServiceExit: \'end-run\'); tests still running will fail because of this. Its output is below.'
          : 'Tests that use it will fail; the run will end non-zero. Its output is below.',
        failure.logTail,
      ),
    );
    for (const fn of failureListeners) notify(fn, failure);
    if (cfg.onServiceExit === 'end-run' && options.endRun && !ending) {
      ending = true;
      options.endRun(failure);
    }
  };
  for (const r of runs.values()) {
    const spawned = r.spawned;
    if (!spawned || !r.tree) continue;
    spawned.exited.then((exit) => fail(r, { service: r.svc.name, reason: describeExit(exit), code: exit.code, signal: exit.signal, logTail: spawned.output.excerpt() }));
    unwatch.push(
      watchPort(r.svc, r.tree, (port, processes) =>
        fail(r, { service: r.svc.name, reason: `stopped answering on :${port} (${processes})`, code: null, signal: null, logTail: spawned.output.excerpt() }),
      ),
    );
  }

  trace('start() resolves');
  const info: ServicesInfo = Object.fromEntries([...runs.values()].map((r) => [r.svc.name, r.info!]));
  return {
    runId,
    info,
    env: servicesEnv(info),
    failures,
    onFailure: (fn) => {
      failureListeners.push(fn);
      for (const f of failures) notify(fn, f);
    },
    tagEnv: (name) => tagEnv(runId, name),
    adopt: (proc) => {
      if (state !== 'running') throw new CleanroomError(`cleanroom: adopt(${proc.name}) after the run has ${state === 'stopped' ? 'stopped' : 'begun stopping'}`);
      // One name, one tree: the guards, the watchdog and the ledger know trees by name.
      if (runs.has(proc.name) || adopted.some((t) => t.name === proc.name)) {
        throw new CleanroomError(`cleanroom: adopt(${proc.name}): that name is already a service or an adopted process of this run; give it another name`);
      }
      // Stopped by its process group: one it does not lead would be missed (or would be another's).
      const info = processInfo(proc.pid);
      if (!info || info.pgid !== proc.pid) {
        throw new CleanroomError(
          `cleanroom: adopt(${proc.name}): pid ${proc.pid} ${info ? `does not lead its own process group (its group is ${info.pgid})` : 'is not running'}; spawn it with detached: true and the env from tagEnv(), then adopt it`,
        );
      }
      const tree: ServiceTree = {
        name: proc.name,
        runId,
        pgid: proc.pid,
        leaderStartTime: info.startTime,
        stopSignal: proc.stopSignal ?? 'SIGTERM',
        stopTimeout: proc.stopTimeout ?? 2000,
      };
      adopted.push(tree);
      tracker.track(tree);
    },
    stop,
    [Symbol.asyncDispose]: async () => {
      await stop();
    },
  };
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * The processes a stop ended: those it saw, and those known from the service's last snapshot (a guard
 * may have ended them already, just before: they were this run's and are gone).
 */
function processCount(trees: ServiceTree[], results: StopResult[]): number {
  const pids = new Set<number>();
  for (const t of trees) for (const k of t.known ?? []) pids.add(k.pid);
  for (const r of results) for (const pid of r.pids) pids.add(pid);
  return pids.size;
}

function summaryLine(s: StopSummary, ports: number[]): string {
  const n = s.services.length;
  const forced = s.services.filter((r) => r.forced).map((r) => r.name);
  return (
    `stopped ${plural(n, 'service')} (${plural(s.processes, 'process', 'processes')}) in ${fmtMs(s.ms)}` +
    (forced.length ? `; SIGKILL needed for ${forced.join(', ')}` : '') +
    `; ${s.left.length} left` +
    (ports.length ? (s.portsHeld.length ? `; ports still held: ${s.portsHeld.join(', ')}` : `; ports ${ports.join(', ')} free`) : '')
  );
}

function isResolved(c: CleanroomConfig | ResolvedConfig): c is ResolvedConfig {
  return Array.isArray((c as ResolvedConfig).services);
}

function isAbort(e: unknown): boolean {
  return e instanceof Error && e.name === 'AbortError';
}


export { CleanroomError };
