/**
 * One tracker per run: what the run started, told to every safety net at once. The in-process guards
 * read its trees (signals, exit), the watchdog is sent each change (kill -9 of the runner), and the
 * ledger record is rewritten (the runner and the watchdog both killed). No other module records a
 * service's processes.
 */
import { guardRun, type SignalHandling } from '../guards/process-guards.js';
import { watchdogEnsure, watchdogIdentity, watchdogRelease, watchdogTrack, watchdogUntrack } from '../guards/watchdog.js';
import { currentBootId, removeRecord, writeRecord, type LedgerService, type RunKind } from '../ledger/ledger.js';
import { allProcesses, commandOf, processInfo } from '../os/process-table.js';
import { hasProcfs, readStat, treePids } from '../os/procfs.js';
import { liveProcesses, type ServiceTree } from '../stop/service-tree.js';
import type { StopResult } from '../stop/stop-tree.js';

/** What the ledger keeps of a service beside its processes (warm reuse and `cleanroom status` read it). */
export type ServiceMeta = Pick<LedgerService, 'port' | 'url' | 'readyAt' | 'definition' | 'spec' | 'logFile'>;

export interface TrackerOptions {
  runId: string;
  /** 'up' for `cleanroom up`'s supervisor, 'test' otherwise. */
  kind: RunKind;
  /** The `cleanroom up` invocation the run belongs to. */
  upId?: string;
  /** The config's root folder: warm reuse matches `up` runs of the same project. */
  root: string;
  signals: SignalHandling;
  /** Where a warning goes (a watchdog that could not start). */
  warn(msg: string): void;
  /** Told that the runner is going away (a signal, or exit), so exits that follow are not crashes. */
  interrupted(signal: NodeJS.Signals | 'exit'): void;
  /** The guards stopped the run synchronously (the runner is exiting): the one summary line goes here. */
  stoppedSync(results: StopResult[], allGone: boolean): void;
}

export class Tracker {
  readonly runId: string;
  private readonly trees = new Map<string, ServiceTree>();
  private readonly meta = new Map<string, ServiceMeta>();
  private readonly opts: TrackerOptions;
  private readonly runner = { pid: process.pid, startTime: processInfo(process.pid)?.startTime ?? Number.NaN, command: commandOf(process.pid) };
  private readonly startedAt = new Date().toISOString();
  private readonly bootId = currentBootId();
  private readonly unguard: () => void;
  private closed = false;
  /** Services whose refresh is due on the next turn (refreshSoon). */
  private readonly soon = new Set<string>();
  /** A ledger write is due on the next turn (recordSoon). */
  private recordDue = false;

  constructor(opts: TrackerOptions) {
    this.runId = opts.runId;
    this.opts = opts;
    // The watchdog first: from the first spawn on, no service is ever without one.
    watchdogEnsure(opts.warn);
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

  /**
   * A started service (or an adopted command): guards, watchdog and ledger learn of it together.
   * `scan: false`: the caller has just spawned it and filled in `tree.known` (its leader) itself.
   */
  track(tree: ServiceTree, meta: ServiceMeta = {}, opts: { scan?: boolean } = {}): void {
    this.trees.set(tree.name, tree);
    this.meta.set(tree.name, meta);
    if (opts.scan === false) {
      // The watchdog at once (it is what acts on kill -9 of the runner); the ledger, for when the
      // watchdog is gone too, on the next turn: the services spawned in this turn share one write.
      watchdogTrack(tree);
      this.recordSoon();
    } else this.refresh(tree.name);
  }

  /**
   * refresh(), in two steps: at once, the processes of the leader's own tree (a few small reads of
   * /proc: one that is about to be orphaned has been seen while its parent lived); on the next turn of
   * the event loop the whole snapshot (every process scanned: group, run tag), for every service asked
   * for by then in one go, with one ledger write. What is not needed before the tests begin does not
   * delay start()'s answer. Without /proc, refresh() at once.
   */
  refreshSoon(name: string, meta: ServiceMeta = {}): void {
    const tree = this.trees.get(name);
    if (!tree) return;
    // Without /proc, and for `cleanroom up`'s supervisor (warm reuse reads its record, which must be
    // whole once it answers), all of it at once.
    if (!hasProcfs || this.opts.kind === 'up') return this.refresh(name, meta);
    this.meta.set(name, { ...this.meta.get(name), ...meta });
    const known = new Map((tree.known ?? []).map((k) => [k.pid, k]));
    for (const pid of treePids(tree.pgid, tree.leaderStartTime)) {
      const st = readStat(pid);
      if (st && st.state !== 'Z') known.set(pid, { pid, startTime: st.startTime });
    }
    tree.known = [...known.values()];
    watchdogTrack(tree);
    const due = this.soon.size > 0;
    this.soon.add(name);
    if (due) return;
    setImmediate(() => {
      const names = [...this.soon];
      this.soon.clear();
      if (names.length === 0) return; // the run began stopping meanwhile
      const table = allProcesses();
      for (const n of names) {
        const t = this.trees.get(n);
        if (!t) continue;
        t.known = liveProcesses(t, table).map((p) => ({ pid: p.pid, startTime: p.startTime }));
        watchdogTrack(t);
      }
      this.recordSoon();
    });
  }

  /**
   * Remembers every process the service has now, so one that later leaves every other trace is still
   * found; `meta` updates what the ledger says of it (its URL once ready, a port a log line told).
   */
  refresh(name: string, meta: ServiceMeta = {}): void {
    const tree = this.trees.get(name);
    if (!tree) return;
    this.meta.set(name, { ...this.meta.get(name), ...meta });
    tree.known = liveProcesses(tree).map((p) => ({ pid: p.pid, startTime: p.startTime }));
    watchdogTrack(tree);
    this.record();
  }

  /**
   * The run is stopping: the snapshots still due (refreshSoon) are dropped, as the stop looks at every
   * process itself, and they would only take its time.
   */
  stopping(): void {
    this.soon.clear();
  }

  /** The service has been stopped: nothing of it is left to guard. */
  untrack(name: string): void {
    if (!this.trees.delete(name)) return;
    this.meta.delete(name);
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

  /** record() on the next turn of the event loop, once for every change asked for by then. */
  private recordSoon(): void {
    if (this.recordDue) return;
    this.recordDue = true;
    setImmediate(() => {
      this.recordDue = false;
      this.record();
    });
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
        pids: t.known ?? [],
        ...this.meta.get(t.name),
      }),
    );
    const watchdog = watchdogIdentity();
    writeRecord({
      runId: this.runId,
      kind: this.opts.kind,
      ...(this.opts.upId && { upId: this.opts.upId }),
      root: this.opts.root,
      ...(this.bootId && { bootId: this.bootId }),
      runner: this.runner,
      ...(watchdog && { watchdog }),
      cwd: process.cwd(),
      startedAt: this.startedAt,
      services,
    });
  }
}
