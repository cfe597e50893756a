/**
 * How to deliver a signal. Whether a process may be stopped at all is kill/policy.ts's decision; every
 * delivery here also re-checks the policy's absolute rules (never PID 1, the runner, its ancestors, its
 * own group or the watchdog), so no path can signal those by mistake.
 */
import { isSameProcess } from '../os/process-table.js';
import { untouchable, untouchableGroup } from './policy.js';

/** Signals a whole process group in one call. False when the group is gone or may not be signalled. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  // kill(-1) would signal every process we may signal, kill(-0) our own group: untouchableGroup refuses both.
  if (untouchableGroup(pgid)) return false;
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false; // ESRCH: gone; EPERM: not ours (the policy should have refused it)
  }
}

/** Signals one pid, but only if it is still the process first seen with `startTime` (pid reuse guard). */
export function signalProcess(pid: number, startTime: number, signal: NodeJS.Signals): boolean {
  if (untouchable(pid) || !isSameProcess(pid, startTime)) return false;
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}
