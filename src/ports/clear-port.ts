/**
 * Frees a port held by a process cleanroom did not start (or a leftover of its own): the holder's
 * tree, when the kill policy allows it. Each such kill is printed.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { portHolderTree } from '../kill/policy.js';
import { allProcesses, commandOf, isGone, type ProcStat } from '../os/process-table.js';
import { processesTarget } from '../stop/service-tree.js';
import { stopOne } from '../stop/stop-loop.js';
import { isPortFree } from './probe.js';
import { describeHolders, findPortHolders, unseenHolder, type PortHolder } from './holders.js';

/**
 * How long a port that answers with no live holder in sight is re-checked before it is called held:
 * a holder that is exiting drops out of the process table (or its fds out of /proc) a moment before
 * its listening socket closes, and one seen by the lookup may be gone by the table read.
 */
export const SETTLE_MS = 1000;
const SETTLE_POLL_MS = 20;

/** After its holders are gone, how long a port may take to stop answering. */
const PORT_RELEASE_MS = 1000;

export interface ClearResult {
  /** True when the port answers no more. */
  free: boolean;
  /** Why a holder was left alone, when one was. */
  refused?: string;
  /** When not free: what holds it, in one clause for a message (e.g. "held by pid 12 (node a.js); ..."). */
  problem?: string;
  holders: PortHolder[];
}

/**
 * The port's live holders, re-checked for up to SETTLE_MS while it answers with none in sight.
 * Returns 'free' once nothing answers, or the holders (possibly none) and the table they were seen in.
 */
async function settledHolders(port: number): Promise<'free' | { holders: PortHolder[]; table: ProcStat[] }> {
  const deadline = performance.now() + SETTLE_MS;
  for (;;) {
    if (await isPortFree(port)) return 'free';
    const found = await findPortHolders(port);
    const table = allProcesses();
    const byPid = new Map(table.map((p) => [p.pid, p]));
    const holders = found.filter((h) => !isGone(byPid.get(h.pid)));
    if (holders.length > 0 || performance.now() >= deadline) return { holders, table };
    await sleep(SETTLE_POLL_MS);
  }
}

/**
 * Stops every holder's tree (see portHolderTree: SIGTERM, then SIGKILL after `graceMs`) and waits
 * until the port is free. Refuses, without signalling anything, when the kill policy protects any
 * process of those trees.
 */
export async function clearPort(
  port: number,
  opts: { runId?: string; graceMs: number; log: (msg: string) => void; why: string },
): Promise<ClearResult> {
  const seen = await settledHolders(port);
  if (seen === 'free') return { free: true, holders: [] };
  const { holders, table } = seen;
  if (holders.length === 0) return { free: false, holders, problem: unseenHolder(port) };
  const targets = new Map<number, ProcStat>();
  const lines: string[] = [];
  for (const holder of holders) {
    const tree = portHolderTree(holder.pid, opts.runId, table);
    if ('refused' in tree) {
      return { free: false, holders, refused: tree.refused, problem: `held by ${describeHolders([holder])}; cleanroom will not stop it: ${tree.refused}` };
    }
    for (const p of tree.targets) targets.set(p.pid, p);
    const others = tree.targets.length - 1;
    const what = tree.top.pid === holder.pid ? 'it' : `pid ${tree.top.pid} (${commandOf(tree.top.pid) || '?'}), which started it,`;
    lines.push(
      `port ${port} ${opts.why}: held by pid ${holder.pid} (${holder.command || '?'}); stopping ${what}${others > 0 ? ` and ${others} more process${others === 1 ? '' : 'es'} of its tree` : ''}`,
    );
  }
  lines.forEach((l) => opts.log(l));
  // The stop loop, as for a service: SIGTERM, SIGKILL after graceMs, until none of the tree is left.
  const byPid = [...targets.values()];
  await stopOne(
    processesTarget(
      `port ${port}`,
      (table) => {
        const now = new Map(table.map((p) => [p.pid, p]));
        return byPid.filter((p) => {
          const cur = now.get(p.pid);
          // Without a start time, the pid may belong to another process by now: not signalled again.
          return !isGone(cur) && !Number.isNaN(p.startTime) && cur!.startTime === p.startTime;
        });
      },
      'SIGTERM',
      opts.graceMs,
    ),
  );
  // The processes are gone; the kernel may still need a moment to release the socket.
  let free = await isPortFree(port);
  for (const deadline = performance.now() + PORT_RELEASE_MS; !free && performance.now() < deadline; ) {
    await sleep(10);
    free = await isPortFree(port);
  }
  return { free, holders, ...(!free && { problem: `held by ${describeHolders(holders)}, and still answering after cleanroom stopped ${holders.length === 1 ? 'it' : 'them'}` }) };
}
