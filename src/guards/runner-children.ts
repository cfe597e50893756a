/**
 * When the runner alone is signalled (its pid, not its group), Vitest exits but its pool worker goes
 * on running the current test for seconds. The run is over, so the runner's own worker processes
 * (children in the runner's process group) end with it. Opt-in: only the Vitest adapter enables it.
 */
import { allProcesses, isGone, processInfo } from '../os/process-table.js';
import { mayKillProcess } from '../kill/policy.js';
import { signalProcess } from '../kill/signal.js';

let enabled = false;
const signalled = new Map<number, number>(); // pid → start time

export function endRunnerChildrenOnSignal(): void {
  enabled = true;
}

/** Signals the runner's direct children that share its process group (services have groups of their own). */
export function signalRunnerChildren(signal: NodeJS.Signals): void {
  if (!enabled) return;
  const pgid = processInfo(process.pid)?.pgid;
  for (const p of allProcesses()) {
    if (p.ppid !== process.pid || p.pgid !== pgid || isGone(p)) continue;
    if (!mayKillProcess(p.pid).allowed) continue;
    if (signalProcess(p.pid, p.startTime, signal)) signalled.set(p.pid, p.startTime);
  }
}

/** At exit: SIGKILL the children signalled earlier that are still alive. */
export function killSignalledRunnerChildren(): void {
  for (const [pid, start] of signalled) signalProcess(pid, start, 'SIGKILL');
}
