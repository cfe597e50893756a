/**
 * One tracker per run: what the run started, told to every safety net at once. The in-process guards
 * read its trees (signals, exit), the watchdog is sent each change (kill -9 of the runner), and the
 * ledger record is rewritten (the runner and the watchdog both killed). No other module records a
 * service's processes.
 */
import { guardRun, type SignalHandling } from '../guards/process-guards.js';
import { watchdogEnsure, watchdogIdentity, watchdogRelease, watchdogTrack, watchdogUntrack } from '../guards/watchdog.js';
import { currentBootId, removeRecord, writeRecord, type LedgerService } from '../ledger/ledger.js';
import { commandOf, processInfo } from '../os/process-table.js';
import { liveProcesses, type ServiceTree } from '../stop/service-tree.js';
import type { StopResult } from '../stop/stop-tree.js';

export interface TrackerOptions {
  runId: string;
  signals: SignalHandling;
  /** Told that the runner is going away (a signal, or exit), so exits that follow are not crashes. */
  interrupted(signal: NodeJS.Signals | 'exit'): void;
  /** The guards stopped the run synchronously (the runner is exiting): the one summary line goes here. */
  stoppedSync(results: StopResult[], allGone: boolean): void;
}

export class Tracker {
  readonly runId: string;
  private readonly trees = new Map<string, ServiceTree>();
  private readonly ports = new Map<string, number>();
  private readonly runner = { pid: process.pid, startTime: processInfo(process.pid)?.startTime ?? Number.NaN, command: commandOf(process.pid) };
  private readonly startedAt = new Date().toISOString();
  private readonly bootId = currentBootId();
  private readonly unguard: () => void;
  private closed = false;

  constructor(opts: TrackerOptions) {
    this.runId = opts.runId;
    // The watchdog first: from the first spawn on, no service is ever without one.
    watchdogEnsure();
    this.unguard = guardRun({
      signals: opts.signals,
      trees: () => [...this.trees.values()],
      interrupted: opts.interrupted,
      stoppedSync: (allGone, results) => {
        // What the exit guard could not wait for, the watchdog finishes; the record stays for a later
        // reap in case the watchdog is gone too.
        if (allGone) removeRecord(this.runId);
        opts.stoppedSync(results, allGone);
      },
    });
  }

  /** A started service (or an adopted command): guards, watchdog and ledger learn of it together. */
  track(tree: ServiceTree, port?: number): void {
    this.trees.set(tree.name, tree);
    if (port !== undefined) this.ports.set(tree.name, port);
    this.refresh(tree.name);
  }

  /** Remembers every process the service has now, so one that later leaves every other trace is still found. */
  refresh(name: string): void {
    const tree = this.trees.get(name);
    if (!tree) return;
    tree.known = liveProcesses(tree).map((p) => ({ pid: p.pid, startTime: p.startTime }));
    watchdogTrack(tree);
    this.record();
  }

  /** The tracked trees (for stop()). */
  list(): ServiceTree[] {
    return [...this.trees.values()];
  }

  /** The service has been stopped: nothing of it is left to guard. */
  untrack(name: string): void {
    if (!this.trees.delete(name)) return;
    this.ports.delete(name);
    watchdogUntrack(this.runId, name);
    this.record();
  }

  /** The run is over: the record goes, the guards come off, the watchdog says goodbye once idle. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    removeRecord(this.runId);
    watchdogRelease();
    this.unguard();
  }

  private record(): void {
    if (this.closed) return;
    const services = [...this.trees.values()].map(
      (t): LedgerService => ({
        name: t.name,
        pgid: t.pgid,
        leaderStartTime: t.leaderStartTime,
        stopSignal: t.stopSignal,
        stopTimeout: t.stopTimeout,
        ...(this.ports.has(t.name) && { port: this.ports.get(t.name)! }),
        pids: t.known ?? [],
      }),
    );
    const watchdog = watchdogIdentity();
    writeRecord({
      runId: this.runId,
      ...(this.bootId && { bootId: this.bootId }),
      runner: this.runner,
      ...(watchdog && { watchdog }),
      cwd: process.cwd(),
      startedAt: this.startedAt,
      services,
    });
  }
}
