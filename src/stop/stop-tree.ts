/**
 * Stopping a service: signal its group (and escaped tagged processes), wait until none is left, then
 * SIGKILL. It never waits for stdout/stderr to close: a grandchild holding the pipe must not hang it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { liveProcesses, signalTree, type ServiceTree } from './service-tree.js';
import { signalProcess } from '../kill/signal.js';
import { allProcesses, type ProcStat } from '../os/process-table.js';

const POLL_MS = 10;
/** After SIGKILL the kernel needs a moment; past this the process is stuck in D state and we report it. */
const KILL_WAIT_MS = 2000;

export interface StopResult {
  name: string;
  /** Distinct processes that were alive when the stop began or appeared during it. */
  processes: number;
  /** True when SIGKILL was needed. */
  forced: boolean;
  /** Pids still alive after SIGKILL (normally empty). */
  survivors: number[];
  ms: number;
}

/** Stops one service. */
export async function stopTree(tree: ServiceTree): Promise<StopResult> {
  const t0 = performance.now();
  const seen = new Set<number>();
  // Everything seen during the stop stays tracked: a child whose parent died first is reparented and
  // may no longer be found through its parent.
  const tracked: ServiceTree = { ...tree, known: [...(tree.known ?? [])] };
  const remember = (ps: ProcStat[]) => {
    for (const p of ps) {
      if (seen.has(p.pid)) continue;
      seen.add(p.pid);
      tracked.known!.push({ pid: p.pid, startTime: p.startTime });
    }
  };
  let live = signalTree(tracked, tree.stopSignal);
  remember(live);
  const deadline = t0 + tree.stopTimeout;
  while (live.length && performance.now() < deadline) {
    await sleep(POLL_MS);
    live = liveProcesses(tracked);
    // A process that appears while stopping (nodemon's `ps`, a respawned worker) gets the signal too.
    const fresh = live.filter((p) => !seen.has(p.pid));
    if (fresh.length) signalTree(tracked, tree.stopSignal, fresh);
    remember(live);
  }
  const forced = live.length > 0;
  if (forced) {
    const killDeadline = performance.now() + KILL_WAIT_MS;
    while (live.length && performance.now() < killDeadline) {
      signalTree(tracked, 'SIGKILL', live);
      await sleep(POLL_MS);
      live = liveProcesses(tracked);
      remember(live);
    }
  }
  return { name: tree.name, processes: seen.size, forced, survivors: live.map((p) => p.pid), ms: performance.now() - t0 };
}

/**
 * Stops loose processes that are known only by a tag (no tracked group): SIGTERM each (checking its
 * start time first), wait up to `graceMs`, SIGKILL the rest.
 */
export async function stopProcesses(find: () => ProcStat[], graceMs: number): Promise<number> {
  const seen = new Set<number>();
  let live = find();
  const deadline = performance.now() + graceMs;
  while (live.length && performance.now() < deadline) {
    for (const p of live) if (!seen.has(p.pid) && signalProcess(p.pid, p.startTime, 'SIGTERM')) seen.add(p.pid);
    await sleep(POLL_MS);
    live = find();
  }
  for (let round = 0; live.length && round < 200; round++) {
    for (const p of live) if (signalProcess(p.pid, p.startTime, 'SIGKILL')) seen.add(p.pid);
    await sleep(POLL_MS);
    live = find();
  }
  return seen.size;
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
/** A real synchronous sleep, for the exit guard where timers never fire. */
function sleepSync(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

/**
 * The synchronous stop used by the guards: signal, wait at most `graceMs` (not the full stopTimeout:
 * the runner is exiting and must not hang), then SIGKILL whatever is left.
 */
export function stopTreesSync(trees: ServiceTree[], graceMs: number): void {
  // As in stopTree: what is seen once stays tracked even if it is reparented meanwhile.
  const tracked = trees.map((t): ServiceTree => ({ ...t, known: [...(t.known ?? [])] }));
  // One snapshot of the process table per round, shared by every tree.
  let table = allProcesses();
  let pending = tracked.filter((t) => {
    const live = signalTree(t, t.stopSignal, liveProcesses(t, table));
    for (const p of live) t.known!.push({ pid: p.pid, startTime: p.startTime });
    return live.length > 0;
  });
  const deadline = performance.now() + graceMs;
  while (pending.length && performance.now() < deadline) {
    sleepSync(POLL_MS);
    table = allProcesses();
    pending = pending.filter((t) => liveProcesses(t, table).length > 0);
  }
  for (let round = 0; pending.length && round < 50; round++) {
    table = allProcesses();
    pending = pending.filter((t) => signalTree(t, 'SIGKILL', liveProcesses(t, table)).length > 0);
    if (pending.length) sleepSync(POLL_MS);
  }
}
