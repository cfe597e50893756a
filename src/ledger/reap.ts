/**
 * Reaps stale runs: a run whose runner and watchdog are both dead (a CI job killed with its whole
 * process tree) may have left services behind. A run that is still alive (another terminal, a
 * parallel job on this host) is never touched, nor is any record of another host.
 */
import { isSameProcess } from '../os/process-table.js';
import { stopTree, type StopResult } from '../stop/stop-tree.js';
import { readHostRecords, recordOrigin, removeRecord, type RunRecord } from './ledger.js';

/** Alive = on this host and this boot, and its runner or its watchdog is still the same process. */
export function isRunAlive(r: RunRecord): boolean {
  if (recordOrigin(r) !== 'this-boot') return false;
  return isSameProcess(r.runner.pid, r.runner.startTime) || (!!r.watchdog && isSameProcess(r.watchdog.pid, r.watchdog.startTime));
}

/** The live runs of other cleanroom processes on this host (for "port 8000 is used by run X" errors). */
export function liveRuns(ownRunId?: string): RunRecord[] {
  return readHostRecords().filter((r) => r.runId !== ownRunId && isRunAlive(r));
}

export interface Reaped {
  runId: string;
  runnerPid: number;
  processes: number;
  /** Pids signalled (the services' processes that were still alive). */
  stopped: StopResult[];
}

/** Stops what one stale run (of this host, this boot) left and removes its file. */
export async function reapRun(r: RunRecord, opts: { force?: boolean } = {}): Promise<Reaped> {
  // Only what can be told apart from a later process with the same number: a start time is needed
  // (always there on Linux; where it could not be read, that group and those pids are left alone).
  const stopped: StopResult[] = await Promise.all(
    r.services
      .filter((s) => !Number.isNaN(s.leaderStartTime))
      .map((s) =>
        stopTree({
          name: s.name,
          runId: r.runId,
          pgid: s.pgid,
          leaderStartTime: s.leaderStartTime,
          // The service's own signal and grace, as on every other path (a stale run is not in a hurry).
          stopSignal: opts.force ? 'SIGKILL' : s.stopSignal,
          stopTimeout: opts.force ? 0 : s.stopTimeout,
          known: s.pids.filter((p) => !Number.isNaN(p.startTime)),
        }),
      ),
  );
  removeRecord(r.runId);
  return { runId: r.runId, runnerPid: r.runner.pid, processes: stopped.reduce((n, x) => n + x.processes, 0), stopped };
}

/** Stops what stale runs of this host left and removes their files. Another host's are never read as stale. */
export async function reapStaleRuns(log: (msg: string) => void): Promise<Reaped[]> {
  const reaped: Reaped[] = [];
  for (const r of readHostRecords()) {
    if (recordOrigin(r) === 'old-boot') {
      removeRecord(r.runId); // left by this machine before it went down: nothing of it can be alive now
      continue;
    }
    if (isRunAlive(r)) continue;
    const done = await reapRun(r);
    if (done.processes > 0) {
      log(`reaped stale run ${r.runId} (runner pid ${r.runner.pid} and its watchdog are gone): stopped ${done.processes} process${done.processes === 1 ? '' : 'es'} it left (${r.services.map((s) => s.name).join(', ')})`);
    }
    reaped.push(done);
  }
  return reaped;
}
