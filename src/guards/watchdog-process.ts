/**
 * The watchdog sidecar (see watchdog.ts). Reads JSON lines on stdin. On EOF without a goodbye, the
 * runner is gone: stop every tracked service (stopSignal, SIGKILL after its stopTimeout, verified),
 * then exit. It ignores the terminal's SIGINT/SIGHUP: Ctrl+C is the runner's to handle.
 */
import { createInterface } from 'node:readline';
import type { ServiceTree } from '../stop/service-tree.js';
import { stopProcesses, stopTree } from '../stop/stop-tree.js';
import { isSameProcess, processesWithEnvVar } from '../os/process-table.js';
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
  else if (msg.t === 'bye') bye = true;
});

lines.on('close', () => {
  if (bye && trees.size === 0) process.exit(0);
  const runIds = new Set([...trees.values()].map((t) => t.runId));
  // Fast path, before any /proc scan (~10-20 ms for a few hundred processes): a group whose leader is
  // still the process we started gets its stop signal at once. stopTree then does the careful part.
  for (const t of trees.values()) if (isSameProcess(t.pgid, t.leaderStartTime)) signalGroup(t.pgid, t.stopSignal);
  const stopAll = async () => {
    await Promise.all([...trees.values()].map((t) => stopTree(t)));
    // Anything the runner started that was not tracked yet (it died between a spawn and the message).
    if (runnerTag) {
      await stopProcesses(() => processesWithEnvVar(RUNNER_VAR, runnerTag), 2000);
    }
  };
  void stopAll().finally(() => {
    for (const id of runIds) removeRecord(id); // nothing of these runs is left to reap
    process.exit(0);
  });
});
