/**
 * A started service as the stop path sees it: its process group, its leader, and the run tag that
 * follows every descendant, including those that left the group (setsid, double fork).
 */
import {
  allProcesses,
  descendantsOf,
  isGone,
  liveGroupMembers,
  taggedProcesses,
  type ProcStat,
} from '../os/process-table.js';
import { groupBelongsToRun } from '../kill/policy.js';
import { signalGroup, signalProcess } from '../kill/signal.js';

export interface ServiceTree {
  name: string;
  runId: string;
  /** The leader's pid, which is also the group id (spawned detached). */
  pgid: number;
  /** The leader's start time, to tell our group from a later one that reused the number. */
  leaderStartTime: number;
  stopSignal: NodeJS.Signals;
  stopTimeout: number;
  /**
   * Processes seen earlier as part of the service (pid + start time): this reaches one that left the
   * group, cleared its environment and was reparented before the stop began.
   */
  known?: Array<{ pid: number; startTime: number }>;
}

/**
 * Every live process of the service: group members (while the group is still ours, by the kill
 * policy), tagged escapees, the descendants of all of those (a setsid()'d child that cleared its
 * environment still has its parent), and the processes seen before that are still the same.
 * Zombies count as gone.
 */
export function liveProcesses(tree: ServiceTree, table: ProcStat[] = allProcesses()): ProcStat[] {
  const members = liveGroupMembers(tree.pgid, table);
  const out = new Map<number, ProcStat>();
  if (groupBelongsToRun(tree, members)) for (const p of members) out.set(p.pid, p);
  for (const p of taggedProcesses(tree.runId, tree.name, table)) out.set(p.pid, p);
  if (tree.known?.length) {
    const byPid = new Map(table.map((p) => [p.pid, p]));
    for (const k of tree.known) {
      const p = byPid.get(k.pid);
      if (p && !Number.isNaN(k.startTime) && p.startTime === k.startTime) out.set(p.pid, p);
    }
  }
  // Children of all of those, the known ones included (one may have started a process since).
  if (out.size > 0) for (const p of descendantsOfAll([...out.keys()], table)) out.set(p.pid, p);
  return [...out.values()].filter((p) => !isGone(p));
}

function descendantsOfAll(pids: number[], table: ProcStat[]): ProcStat[] {
  const roots = new Set(pids);
  return pids.flatMap((pid) => descendantsOf(pid, table)).filter((p) => !roots.has(p.pid));
}

/** Signals the group and every escaped tagged process. Returns the processes signalled. */
export function signalTree(tree: ServiceTree, signal: NodeJS.Signals, live: ProcStat[] = liveProcesses(tree)): ProcStat[] {
  if (live.length === 0) return live;
  if (live.some((p) => p.pgid === tree.pgid)) signalGroup(tree.pgid, signal);
  for (const p of live) if (p.pgid !== tree.pgid) signalProcess(p.pid, p.startTime, signal);
  return live;
}
