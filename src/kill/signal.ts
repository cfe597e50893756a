/**
 * How to deliver a signal. Whether one may be delivered is kill/policy.ts's decision.
 */
import { isSameProcess } from '../os/process-table.js';

/** Signals a whole process group in one call. False when the group is already gone. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  // kill(-1) would signal every process we may signal, kill(-0) our own group: never.
  if (!Number.isInteger(pgid) || pgid <= 1) return false;
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false; // ESRCH: gone; EPERM: not ours (the policy should have refused it)
  }
}

/** Signals one pid, but only if it is still the process first seen with `startTime` (pid reuse guard). */
export function signalProcess(pid: number, startTime: number, signal: NodeJS.Signals): boolean {
  if (!Number.isInteger(pid) || pid <= 1 || !isSameProcess(pid, startTime)) return false;
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}
