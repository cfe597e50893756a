/**
 * When the runner alone is signalled (its pid, not its group), Vitest exits but its pool worker goes
 * on running the current test for seconds. The run is over, so the runner's own worker processes
 * (children in the runner's process group, recognised by their command line) end with it. Opt-in:
 * only the Vitest adapter enables it, for its pool workers.
 */
import { allProcesses, commandOf, isGone, processInfo } from '../os/process-table.js';
import { mayKillProcess } from '../kill/policy.js';
import { signalProcess } from '../kill/signal.js';

let matches: ((command: string) => boolean) | undefined;
const signalled = new Map<number, number>(); // pid → start time

/** Enables it for the runner's children whose command line `isWorker` recognises (nothing else). */
export function endRunnerChildrenOnSignal(isWorker: (command: string) => boolean): void {
  matches = isWorker;
}

/** Signals the runner's direct children that share its process group (services have groups of their own). */
export function signalRunnerChildren(signal: NodeJS.Signals): void {
  if (!matches) return;
  const pgid = processInfo(process.pid)?.pgid;
  for (const p of allProcesses()) {
    if (p.ppid !== process.pid || p.pgid !== pgid || isGone(p) || !matches(commandOf(p.pid))) continue;
    if (!mayKillProcess(p.pid, undefined, { allowRunnerGroup: true }).allowed) continue;
    if (signalProcess(p.pid, p.startTime, signal)) signalled.set(p.pid, p.startTime);
  }
}

/** At exit: SIGKILL the children signalled earlier that are still alive. */
export function killSignalledRunnerChildren(): void {
  for (const [pid, start] of signalled) signalProcess(pid, start, 'SIGKILL');
}
