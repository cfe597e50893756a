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
import { stopTreesSync } from '../stop/stop-tree.js';
import { signalTree, type ServiceTree } from '../stop/service-tree.js';
import { killSignalledRunnerChildren, signalRunnerChildren } from './runner-children.js';

export interface GuardedRun {
  trees(): ServiceTree[];
  /** Told that the runner is going away, so exits that follow are not reported as crashes. */
  interrupted(signal: NodeJS.Signals | 'exit'): void;
  /** Called after the guards stopped the run's services synchronously (removes its ledger file). */
  stoppedSync(): void;
}

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
/** The longest the exit guard holds the runner before SIGKILL. */
const EXIT_GRACE_MS = 1000;

const runs = new Set<GuardedRun>();
let installed = false;
/** Signals received so far, of any kind: the second one (Ctrl+C twice, SIGINT then SIGTERM) means no more waiting. */
let received = 0;

function allTrees(): ServiceTree[] {
  return [...runs].flatMap((r) => r.trees());
}

function graceMs(trees: ServiceTree[]): number {
  return Math.min(EXIT_GRACE_MS, Math.max(0, ...trees.map((t) => t.stopTimeout)));
}

function onSignal(signal: NodeJS.Signals): void {
  const count = ++received;
  for (const r of runs) r.interrupted(signal);
  const trees = allTrees();
  // First signal: the graceful one. A second (Ctrl+C twice): no more waiting.
  for (const t of trees) signalTree(t, count === 1 ? t.stopSignal : 'SIGKILL');
  signalRunnerChildren(count === 1 ? 'SIGTERM' : 'SIGKILL');
  const othersListening = process.listeners(signal).some((l) => l !== listeners[signal]);
  if (!othersListening) {
    // Our listener cancelled Node's default exit; finish the job and let the signal take its course.
    stopTreesSync(trees, graceMs(trees));
    for (const r of runs) r.stoppedSync();
    uninstall();
    process.kill(process.pid, signal);
  }
}

function onExit(): void {
  for (const r of runs) r.interrupted('exit');
  const trees = allTrees();
  if (trees.length) stopTreesSync(trees, graceMs(trees));
  for (const r of runs) r.stoppedSync();
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
  for (const s of SIGNALS) process.removeListener(s, listeners[s]);
  process.removeListener('exit', onExit);
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
