/**
 * A started service as the stop path sees it: its process group, its leader, and the run tag that
 * follows every descendant, including those that left the group (setsid, double fork).
 */
import { hasProcfs } from '../os/procfs.js';
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
}

/**
 * Every live process of the service: group members (while the group is still ours, by the kill
 * policy) plus tagged escapees. Zombies count as gone.
 */
export function liveProcesses(tree: ServiceTree, table: ProcStat[] = allProcesses()): ProcStat[] {
  const members = liveGroupMembers(tree.pgid, table);
  const out = new Map<number, ProcStat>();
  if (groupBelongsToRun(tree, members)) for (const p of members) out.set(p.pid, p);
  for (const p of taggedProcesses(tree.runId, tree.name, table)) out.set(p.pid, p);
  // Without /proc there are no tags to read: a process-tree snapshot finds the leader's descendants
  // that left the group with setsid() (their parent link is intact), though not double-forked ones.
  if (!hasProcfs && out.size > 0) for (const p of descendantsOf(tree.pgid, table)) out.set(p.pid, p);
  return [...out.values()].filter((p) => !isGone(p));
}

/** Signals the group and every escaped tagged process. Returns the processes signalled. */
export function signalTree(tree: ServiceTree, signal: NodeJS.Signals, live: ProcStat[] = liveProcesses(tree)): ProcStat[] {
  if (live.length === 0) return live;
  if (live.some((p) => p.pgid === tree.pgid)) signalGroup(tree.pgid, signal);
  for (const p of live) if (p.pgid !== tree.pgid) signalProcess(p.pid, p.startTime, signal);
  return live;
}
