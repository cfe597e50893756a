/**
 * The watchdog sidecar (see watchdog.ts). Reads JSON lines on stdin. On EOF without a goodbye, the
 * runner is gone: stop every tracked service (stopSignal, SIGKILL after its stopTimeout, verified),
 * then exit. It ignores the terminal's SIGINT/SIGHUP: Ctrl+C is the runner's to handle.
 */
import { createInterface } from 'node:readline';
import { processesTarget, treeTarget, type ServiceTree } from '../stop/service-tree.js';
import { stopAll } from '../stop/stop-loop.js';
import { RUN_ID_VAR, SERVICE_VAR, envSnapshot, isGone, isSameProcess } from '../os/process-table.js';
import { signalGroup } from '../kill/signal.js';
import { RUNNER_VAR } from '../kill/policy.js';
import { removeRecord } from '../ledger/ledger.js';
import type { WatchdogMessage } from './watchdog.js';

process.on('SIGINT', () => {});
process.on('SIGHUP', () => {});

/** `pid:startTime` of the runner: every process it started carries it as CLEANROOM_RUNNER. */
const runnerTag = process.argv[2];
const trees = new Map<string, ServiceTree>();
let bye = false;
/** When the exiting runner sent the stop signals itself (epoch ms), and to which trees. */
let stopping: { at: number; trees: Set<string> } | undefined;
/** For what the runner started but never told us of: its last chance at a graceful end. */
const UNTRACKED_STOP_MS = 2000;

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  let msg: WatchdogMessage;
  try {
    msg = JSON.parse(line) as WatchdogMessage;
  } catch {
    return;
  }
  if (msg.t === 'track') trees.set(`${msg.tree.runId}/${msg.tree.name}`, msg.tree);
  else if (msg.t === 'untrack') trees.delete(`${msg.runId}/${msg.name}`);
  else if (msg.t === 'stopping') stopping = { at: msg.at, trees: new Set(msg.trees) };
  else if (msg.t === 'bye') bye = true;
});

lines.on('close', () => {
  if (bye && trees.size === 0) process.exit(0);
  const runIds = new Set([...trees.values()].map((t) => t.runId));
  const ago = stopping ? Math.max(0, Date.now() - stopping.at) : 0;
  const signalledByRunner = (key: string) => !!stopping?.trees.has(key);
  // Fast path, before any /proc scan (~10-20 ms for a few hundred processes): a group whose leader is
  // still the process we started gets its stop signal at once (unless it has a stopCommand to run
  // first). The stop loop then does the careful part.
  const fastSignalled = new Set<string>();
  for (const [key, t] of trees) {
    if (!signalledByRunner(key) && !t.stopCommand && isSameProcess(t.pgid, t.leaderStartTime) && signalGroup(t.pgid, t.stopSignal)) fastSignalled.add(key);
  }
  // Signalled before (by the runner, or just now by the fast path): not again, but SIGKILL on time.
  const targets = [...trees].map(([key, t]) => {
    // The runner signalled the group and everything it knew of; the fast path, the group alone.
    const known = new Set((t.known ?? []).map((k) => k.pid));
    if (signalledByRunner(key)) return treeTarget(t, { msAgo: ago, had: (p) => p.pgid === t.pgid || known.has(p.pid) });
    if (fastSignalled.has(key)) return treeTarget(t, { msAgo: 0, had: (p) => p.pgid === t.pgid });
    return treeTarget(t);
  });
  // Anything the runner started that was not tracked (it died between a spawn and the message), and
  // its own pool workers (the Vitest adapter tags them before the pool starts).
  if (runnerTag) {
    targets.push(
      processesTarget(
        '(untracked)',
        // One environment scan per look (without /proc, one `ps eww` rather than one per process). A
        // tracked service's processes are its tree's to stop, with its own signal and timeout.
        (table) => {
          const env = envSnapshot();
          return table.filter((p) => !isGone(p) && env(p.pid, RUNNER_VAR) === runnerTag && !trees.has(`${env(p.pid, RUN_ID_VAR)}/${env(p.pid, SERVICE_VAR)}`));
        },
        'SIGTERM',
        UNTRACKED_STOP_MS,
      ),
    );
  }
  void stopAll(targets)
    .then((results) => {
      // Nothing of these runs is left to reap; a survivor (stuck in state D) keeps its record for a later reap.
      if (results.every((r) => r.survivors.length === 0)) for (const id of runIds) removeRecord(id);
    })
    .finally(() => process.exit(0));
});
