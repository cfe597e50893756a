/**
 * Guards that stop every live run's services however the runner ends while it can still run code:
 * SIGINT, SIGTERM, SIGHUP, process.exit, an uncaught exception (Node exits through 'exit').
 *
 * Measured behaviour this leans on (FIELD-NOTES): Vitest calls process.exit() ~1 ms after a signal
 * without running teardown; Playwright has no SIGTERM handler; in 'exit' only synchronous work runs.
 * So: our signal listener is prepended (it runs before a runner's listener can exit) and signals every
 * group synchronously; the 'exit' listener waits briefly (synchronously) and SIGKILLs what is left.
 * When no one else listens for the signal, we restore Node's default: stop, then re-raise it, so the
 * exit status is the signal's (130/143) as it would have been without us.
 */
import { stopTreesSync, type StopResult } from '../stop/stop-tree.js';
import { signalTree, type ServiceTree, type SignalledBefore } from '../stop/service-tree.js';
import { killSignalledRunnerChildren, signalRunnerChildren } from './runner-children.js';
import { watchdogAlive, watchdogStopping } from './watchdog.js';

/**
 * Who ends the process on SIGINT/SIGTERM/SIGHUP:
 * - 'auto': whoever else listens (a test runner, the user's own handler). Services are signalled at
 *   once; if no one else listens, cleanroom stops them and re-raises the signal.
 * - 'caller': the caller handles signals and calls stop() (`cleanroom run`); cleanroom acts only on
 *   a second signal (SIGKILL) and at exit.
 */
export type SignalHandling = 'auto' | 'caller';

export interface GuardedRun {
  signals: SignalHandling;
  trees(): ServiceTree[];
  /** Told that the runner is going away, so exits that follow are not reported as crashes. */
  interrupted(signal: NodeJS.Signals | 'exit'): void;
  /**
   * Called after the guards stopped the run's services synchronously; `allGone` is false when some
   * were still shutting down and were left to the watchdog (their ledger record must stay).
   */
  stoppedSync(allGone: boolean, results: StopResult[]): void;
}

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
/**
 * The longest an exiting runner is held. A service that needs longer (its stopTimeout) is left to the
 * watchdog, which SIGKILLs it once its own stopTimeout has passed; without a watchdog, SIGKILL now.
 */
const EXIT_GRACE_MS = 1000;

const runs = new Set<GuardedRun>();
let installed = false;
/** Signals received so far, of any kind: the second one (Ctrl+C twice, SIGINT then SIGTERM) means no more waiting. */
let received = 0;
/** Trees that have had their stop signal already (a signal listener sent it): the exit guard must not send it twice. */
/** What a signal listener already sent each tree's stop signal to (pids), and when: nothing gets it twice. */
const signalled = new WeakMap<ServiceTree, { at: number; pids: Set<number> }>();

function graceMs(trees: ServiceTree[]): number {
  return Math.min(EXIT_GRACE_MS, Math.max(0, ...trees.map((t) => t.stopTimeout)));
}

/**
 * signal-exit (loaded by execa, and by many CLIs) listens for signals too, but only to re-raise them
 * when it is the last listener: it waits for someone else. Its listeners are counted on a global
 * emitter (the same test signal-exit 4 makes itself; v3 keeps its count on the process object).
 */
function signalExitListeners(): number {
  const g = globalThis as unknown as Record<symbol, { count?: number } | undefined>;
  const p = process as unknown as { __signal_exit_emitter__?: { count?: number } };
  return (g[Symbol.for('signal-exit emitter')]?.count ?? 0) + (p.__signal_exit_emitter__?.count ?? 0);
}

function onSignal(signal: NodeJS.Signals): void {
  const count = ++received;
  const acting = [...runs].filter((r) => r.signals !== 'caller' || count > 1);
  for (const r of acting) r.interrupted(signal);
  const trees = acting.flatMap((r) => r.trees());
  // First signal: the graceful one. A second (Ctrl+C twice): no more waiting.
  for (const t of trees) {
    // A stopCommand runs before the stop signal: that service is stopped on the way out instead.
    if (count === 1 && t.stopCommand) continue;
    const live = signalTree(t, count === 1 ? t.stopSignal : 'SIGKILL');
    const seen = signalled.get(t) ?? { at: performance.now(), pids: new Set<number>() };
    for (const p of live) seen.pids.add(p.pid);
    signalled.set(t, seen);
  }
  signalRunnerChildren(count === 1 ? 'SIGTERM' : 'SIGKILL');
  const others = process.listeners(signal).filter((l) => l !== listeners[signal]).length;
  if (others <= signalExitListeners()) {
    // No one else will end the process (our listener cancelled Node's default exit): finish the job
    // and let the signal take its course, so the exit status is the signal's, as without us.
    endWithSignal(signal);
  }
}

/**
 * The runner is going away: every tree gets its stopSignal (unless a signal listener sent it already),
 * and the runner waits for them at most EXIT_GRACE_MS. What is still shutting down then is the
 * watchdog's to finish (stopSignal was sent; SIGKILL follows after the service's own stopTimeout).
 */
function stopBeforeExit(): void {
  const then = watchdogAlive() ? 'leave' : 'kill';
  // The watchdog runs a stopCommand (docker compose down...) with its timeout; an exiting runner
  // should not wait that long when it has someone to hand it to.
  const handOver = (t: ServiceTree) => then === 'leave' && !!t.stopCommand && !signalled.has(t);
  const perRun = [...runs].map((r) => ({ run: r, trees: r.trees() }));
  const trees = perRun.flatMap((x) => x.trees.filter((t) => !handOver(t)));
  let results: StopResult[] = [];
  if (trees.length) {
    // So that the watchdog does not send the stop signal a second time, and counts each stopTimeout from
    // when the signal was sent: at the first signal (Ctrl+C), if every tree got it then, else now.
    if (then === 'leave') watchdogStopping(trees, Math.min(...trees.map((t) => alreadySignalled(t)?.msAgo ?? 0)));
    results = stopTreesSync(trees, { waitMs: graceMs(trees), then, signalledBefore: alreadySignalled });
  }
  const byTree = new Map(trees.map((t, i) => [t, results[i]!]));
  for (const { run, trees: own } of perRun) {
    const mine = own.flatMap((t) => (byTree.has(t) ? [byTree.get(t)!] : []));
    const allGone = mine.length === own.length && mine.every((r) => r.survivors.length === 0);
    run.stoppedSync(allGone, mine);
  }
}

/** Stops everything still guarded, then lets the signal take its default course. */
function endWithSignal(signal: NodeJS.Signals): void {
  stopBeforeExit();
  uninstall();
  process.kill(process.pid, signal);
}

function onExit(): void {
  for (const r of runs) r.interrupted('exit');
  stopBeforeExit();
  killSignalledRunnerChildren();
}

const listeners = Object.fromEntries(SIGNALS.map((s) => [s, () => onSignal(s)])) as Record<NodeJS.Signals, () => void>;

function install(): void {
  if (installed) return;
  installed = true;
  for (const s of SIGNALS) process.prependListener(s, listeners[s]);
  process.on('exit', onExit);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  received = 0;
  for (const s of SIGNALS) process.removeListener(s, listeners[s]);
  process.removeListener('exit', onExit);
}

/**
 * Whether a signal listener already sent this tree its stop signal: how long ago, and to which pids.
 * stop() (Playwright's teardown after Ctrl+C) and the exit guard then do not send it a second time:
 * some servers take a second SIGINT/SIGTERM as "quit now".
 */
export function alreadySignalled(tree: ServiceTree): SignalledBefore | undefined {
  const s = signalled.get(tree);
  return s && { msAgo: performance.now() - s.at, had: (p) => s.pids.has(p.pid) };
}

/** Guards a run until the returned function is called (after its services are stopped). */
export function guardRun(run: GuardedRun): () => void {
  runs.add(run);
  install();
  return () => {
    runs.delete(run);
    if (runs.size === 0) uninstall();
  };
}
