/**
 * Reaps stale runs: a run whose runner and watchdog are both dead (a CI job killed with its whole
 * process tree) may have left services behind. A run that is still alive (another terminal, a
 * parallel job on this host) is never touched.
 */
import { isSameProcess } from '../os/process-table.js';
import { stopTree, type StopResult } from '../stop/stop-tree.js';
import { currentBootId, readRecords, removeRecord, type RunRecord } from './ledger.js';

export function isRunAlive(r: RunRecord): boolean {
  if (r.bootId && r.bootId !== currentBootId()) return false;
  return isSameProcess(r.runner.pid, r.runner.startTime) || (!!r.watchdog && isSameProcess(r.watchdog.pid, r.watchdog.startTime));
}

/** The live runs of other cleanroom processes (for "port 8000 is used by run X" errors). */
export function liveRuns(ownRunId?: string): RunRecord[] {
  return readRecords().filter((r) => r.runId !== ownRunId && isRunAlive(r));
}

export interface Reaped {
  runId: string;
  runnerPid: number;
  processes: number;
}

/** Stops what stale runs left and removes their files. */
export async function reapStaleRuns(log: (msg: string) => void): Promise<Reaped[]> {
  const reaped: Reaped[] = [];
  const boot = currentBootId();
  for (const r of readRecords()) {
    if (r.bootId && boot && r.bootId !== boot) {
      removeRecord(r.runId); // left by a machine that went down: nothing of it can be alive now
      continue;
    }
    if (isRunAlive(r)) continue;
    // Only what can be told apart from a later process with the same number: a start time is needed
    // (always there on Linux; where it could not be read, that group and those pids are left alone).
    const results: StopResult[] = await Promise.all(
      r.services
        .filter((s) => !Number.isNaN(s.leaderStartTime))
        .map((s) =>
          stopTree({
            name: s.name,
            runId: r.runId,
            pgid: s.pgid,
            leaderStartTime: s.leaderStartTime,
            // The service's own signal and grace, as on every other path (a stale run is not in a hurry).
            stopSignal: s.stopSignal,
            stopTimeout: s.stopTimeout,
            known: s.pids.filter((p) => !Number.isNaN(p.startTime)),
          }),
        ),
    );
    const processes = results.reduce((n, x) => n + x.processes, 0);
    if (processes > 0) {
      log(`reaped stale run ${r.runId} (runner pid ${r.runner.pid} and its watchdog are gone): stopped ${processes} process${processes === 1 ? '' : 'es'} it left (${r.services.map((s) => s.name).join(', ')})`);
    }
    removeRecord(r.runId);
    reaped.push({ runId: r.runId, runnerPid: r.runner.pid, processes });
  }
  return reaped;
}
