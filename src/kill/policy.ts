/**
 * The one place that decides whether cleanroom may signal a process or a process group.
 * Every kill goes through here; other modules only decide *how* to kill.
 *
 * Never: PID 1, the runner, its ancestors or its own process group, a protected pid (the watchdog),
 * another user's process, or a process of a live cleanroom run that is not ours.
 */
import {
  allProcesses,
  ancestorsOf,
  descendantsOf,
  envVarOf,
  isGone,
  isSameProcess,
  processInfo,
  uidOf,
  type ProcStat,
} from '../os/process-table.js';
import { RUN_ID_VAR } from '../os/process-table.js';

/** Tag that lets any process tell whether the run that started a process is still alive. */
export const RUNNER_VAR = 'CLEANROOM_RUNNER';

export interface Verdict {
  allowed: boolean;
  /** Why not, in words for an error message. */
  reason?: string;
}

const protectedPids = new Set<number>();

/** Marks a pid (the watchdog) as never to be signalled by the port passes. */
export function protectPid(pid: number): void {
  protectedPids.add(pid);
}

let runnerCache: { ancestors: Set<number>; pgid: number } | undefined;

function runner(): { ancestors: Set<number>; pgid: number } {
  // The runner's ancestry does not change while it runs (a reparented runner only gains PID 1).
  runnerCache ??= {
    ancestors: new Set(ancestorsOf(process.pid)),
    pgid: processInfo(process.pid)?.pgid ?? process.pid,
  };
  return runnerCache;
}

/** `runnerPid:startTime` of the current process, carried by everything it starts. */
export function runnerTag(): string {
  return `${process.pid}:${processInfo(process.pid)?.startTime ?? 'NaN'}`;
}

/** True when a process carries another run's tag and that run's runner is still alive. */
function liveForeignRun(pid: number, ownRunId: string | undefined): string | undefined {
  const runId = envVarOf(pid, RUN_ID_VAR);
  if (!runId || runId === ownRunId) return undefined;
  const [rpid, rstart] = (envVarOf(pid, RUNNER_VAR) ?? '').split(':');
  if (rpid && isSameProcess(Number(rpid), Number(rstart))) return runId;
  return undefined;
}

/**
 * Is this process group still the one a service of `runId` started? Its leader is the process we
 * spawned (same pid and the same, known, start time), or one of its members carries the run's tag. A group number
 * can be reused once the group is gone; this is what keeps a later, foreign group safe.
 */
export function groupBelongsToRun(
  group: { pgid: number; leaderStartTime: number; runId: string },
  members: ProcStat[],
): boolean {
  return members.some(
    (p) =>
      // An unknown start time proves nothing: a reused pid would pass. Then only the run's tag counts.
      (p.pid === group.pgid && !Number.isNaN(p.startTime) && p.startTime === group.leaderStartTime) ||
      envVarOf(p.pid, RUN_ID_VAR) === group.runId,
  );
}

/**
 * The rules no signal may break, whoever sends it and why (kill/signal.ts checks them on every
 * delivery): never PID 1 or an invalid pid, the runner itself, its ancestors, or a protected pid.
 * Cheap: no /proc read beyond the runner's own ancestry, which is read once.
 */
export function untouchable(pid: number): string | undefined {
  if (!Number.isInteger(pid) || pid <= 1) return `pid ${pid} is PID 1 or invalid`;
  if (pid === process.pid) return `pid ${pid} is the test runner itself`;
  if (runner().ancestors.has(pid)) return `pid ${pid} is an ancestor of the test runner`;
  if (protectedPids.has(pid)) return `pid ${pid} is cleanroom's watchdog`;
  return undefined;
}

/** The same rules for a whole process group: never the runner's own group, nor one an ancestor leads. */
export function untouchableGroup(pgid: number): string | undefined {
  if (!Number.isInteger(pgid) || pgid <= 1) return `process group ${pgid} is invalid`;
  if (pgid === runner().pgid) return `process group ${pgid} is the test runner's own`;
  return untouchable(pgid);
}

/**
 * May cleanroom signal this one process? `allowRunnerGroup` is for the one caller that ends the
 * runner's own pool workers at shutdown (guards/runner-children.ts).
 */
export function mayKillProcess(pid: number, ownRunId?: string, opts: { allowRunnerGroup?: boolean } = {}): Verdict {
  const never = untouchable(pid);
  if (never) return { allowed: false, reason: never };
  if (!opts.allowRunnerGroup && processInfo(pid)?.pgid === runner().pgid) {
    return { allowed: false, reason: `pid ${pid} is in the test runner's own process group` };
  }
  const uid = uidOf(pid);
  if (uid !== undefined && typeof process.getuid === 'function' && uid !== process.getuid()) {
    return { allowed: false, reason: `pid ${pid} belongs to another user (uid ${uid})` };
  }
  const foreign = liveForeignRun(pid, ownRunId);
  if (foreign) return { allowed: false, reason: `pid ${pid} belongs to another cleanroom run (${foreign}) that is still running` };
  return { allowed: true };
}

/**
 * What to stop for a port holder cleanroom did not start: the holder's own tree. That is the topmost
 * ancestor still in the holder's process group that is not a session leader (npm in `npm run dev` →
 * sh → node), and all its descendants. A session leader above the holder (dockerd above
 * docker-proxy, systemd --user, a terminal's shell) is never part of it. Refused as a whole when any
 * process of that tree may not be signalled.
 */
export function portHolderTree(
  holderPid: number,
  ownRunId: string | undefined,
  table: ProcStat[] = allProcesses(),
): { top: ProcStat; targets: ProcStat[] } | { refused: string } {
  const byPid = new Map(table.map((p) => [p.pid, p]));
  const holder = byPid.get(holderPid);
  if (!holder || isGone(holder)) return { refused: `pid ${holderPid} is gone` };
  let top = holder;
  for (;;) {
    const parent = byPid.get(top.ppid);
    if (!parent || parent.pid <= 1 || parent.pgid !== holder.pgid || parent.sid === parent.pid) break;
    top = parent;
  }
  const targets = [top, ...descendantsOf(top.pid, table)].filter((p) => !isGone(p));
  for (const p of targets) {
    const v = mayKillProcess(p.pid, ownRunId);
    if (!v.allowed) return { refused: v.reason ?? `pid ${p.pid} may not be signalled` };
  }
  return { top, targets };
}
