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
import type { StopTarget } from './stop-loop.js';
import { runStopCommand, runStopCommandSync, stopCommandProblem, type StopCommand } from './stop-command.js';

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
  /** Run before the stop signal, on every path that can wait for it (see stop-command.ts). */
  stopCommand?: StopCommand;
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

/**
 * The tree as a target of the stop loop. Everything seen while stopping stays tracked: a child whose
 * parent died first is reparented and could no longer be found through its parent.
 */
/** The stop signal was sent already, `msAgo`, to the processes `had` accepts. */
export interface SignalledBefore {
  msAgo: number;
  had(p: ProcStat): boolean;
}

export function treeTarget(tree: ServiceTree, before?: SignalledBefore): StopTarget {
  const signalledMsAgo = before?.msAgo;
  const tracked: ServiceTree = { ...tree, known: [...(tree.known ?? [])] };
  const remembered = new Set(tracked.known!.map((k) => k.pid));
  // Processes that had the stop signal already: not twice at the start, since some servers take a
  // second SIGINT/SIGTERM as "quit now". What appears later gets its own.
  const hadIt = before?.had;
  let first = true;
  return {
    name: tree.name,
    stopSignal: tree.stopSignal,
    stopTimeout: tree.stopTimeout,
    live(table) {
      const live = liveProcesses(tracked, table);
      for (const p of live) {
        if (remembered.has(p.pid)) continue;
        remembered.add(p.pid);
        tracked.known!.push({ pid: p.pid, startTime: p.startTime });
      }
      return live;
    },
    signal(signal, live) {
      const skip = first && hadIt && signal === tree.stopSignal;
      first = false;
      const to = skip ? live.filter((p) => !hadIt(p)) : live;
      // Group members that had it are reached by pid, not by a second group-wide signal.
      if (skip) for (const p of to) signalProcess(p.pid, p.startTime, signal);
      else signalTree(tracked, signal, to);
    },
    ...(signalledMsAgo !== undefined && { signalledMsAgo }),
    ...(tree.stopCommand && {
      before: async () => stopCommandProblem(tree.name, tree.stopCommand!, await runStopCommand(tree.stopCommand!)),
      beforeSync: () => runStopCommandSync(tree.stopCommand!),
    }),
  };
}

/** Loose processes known by pid and start time only (a port holder's tree, a dead runner's leftovers). */
export function processesTarget(name: string, find: (table: ProcStat[]) => ProcStat[], stopSignal: NodeJS.Signals, stopTimeout: number): StopTarget {
  return {
    name,
    stopSignal,
    stopTimeout,
    live: find,
    signal(signal, live) {
      for (const p of live) signalProcess(p.pid, p.startTime, signal);
    },
  };
}
