/**
 * The one small interface to the OS process table. Linux reads /proc (synchronous, so it also works in
 * the exit guard); elsewhere, or with CLEANROOM_PROCFS=0, the portable path (portable.ts: `ps` for
 * the table, start times, session leaders and environments; `ss`/`lsof` for port holders), also
 * synchronous. Both give the same answers; the portable one is slower (a process spawn per call).
 */
import {
  hasProcfs,
  listStats,
  listeningInodes,
  pidsHoldingInodes,
  readCmdline,
  readEnviron,
  readEnvVar,
  readStat,
  readUid,
  type ProcStat,
} from './procfs.js';
import { listeningPids, psCommand, psEnviron, psEnvirons, psStat, psStats, psUid } from './portable.js';

export const RUN_ID_VAR = 'CLEANROOM_RUN_ID';
export const SERVICE_VAR = 'CLEANROOM_SERVICE';

export type { ProcStat };
export { hasProcfs };

/** All processes, zombies included. */
export function allProcesses(): ProcStat[] {
  return hasProcfs ? listStats() : psStats();
}

/** One process, or undefined when gone. */
export function processInfo(pid: number): ProcStat | undefined {
  return hasProcfs ? readStat(pid) : psStat(pid);
}

/** A zombie has exited already; it only waits to be reaped (by PID 1 here, sometimes a second later). */
export function isGone(p: ProcStat | undefined): boolean {
  return !p || p.state === 'Z' || p.state === 'X';
}

/**
 * Can these two start times be compared? /proc gives clock ticks since boot (>= 0), the portable
 * path negated seconds since the epoch (< 0); NaN is unknown.
 */
export function sameClock(a: number, b: number): boolean {
  return !Number.isNaN(a) && !Number.isNaN(b) && a < 0 === b < 0;
}

/**
 * True when `pid` still names the process first seen with `startTime`. Where the start times cannot
 * be compared (unknown, or read under the other clock), a live pid is taken as the same process: the
 * callers that meet such records (another run's tag, a ledger record) then leave it alone.
 */
export function isSameProcess(pid: number, startTime: number): boolean {
  const p = processInfo(pid);
  if (isGone(p)) return false;
  return !sameClock(startTime, p!.startTime) || p!.startTime === startTime;
}

/** Live (non-zombie) members of a process group. */
export function liveGroupMembers(pgid: number, table: ProcStat[] = allProcesses()): ProcStat[] {
  return table.filter((p) => p.pgid === pgid && !isGone(p));
}

/** The value of one environment variable of a process (as it started), or undefined (not ours, gone, or unset). */
export function envVarOf(pid: number, name: string): string | undefined {
  return hasProcfs ? readEnvVar(pid, name) : psEnviron(pid)?.get(name);
}

/**
 * Live processes carrying a run's tag (optionally one service's), found through their environment:
 * this reaches descendants that left the process group with setsid() or a double fork.
 */
export function taggedProcesses(runId: string, service?: string, table: ProcStat[] = allProcesses()): ProcStat[] {
  const live = table.filter((p) => !isGone(p));
  if (hasProcfs) {
    return live.filter(
      (p) => readEnvVar(p.pid, RUN_ID_VAR) === runId && (service === undefined || readEnvVar(p.pid, SERVICE_VAR) === service),
    );
  }
  const envs = psEnvirons();
  return live.filter((p) => {
    const env = envs.get(p.pid);
    return env?.get(RUN_ID_VAR) === runId && (service === undefined || env.get(SERVICE_VAR) === service);
  });
}

/** Reads environment variables of many processes from one look (without /proc, one `ps eww` in all). */
export function envSnapshot(): (pid: number, name: string) => string | undefined {
  if (hasProcfs) return readEnvVar;
  const envs = psEnvirons();
  return (pid, name) => envs.get(pid)?.get(name);
}

/** The environment a process started with (not later changes to its process.env), or undefined when unreadable. */
export function initialEnvironment(pid: number): Map<string, string> | undefined {
  return hasProcfs ? readEnviron(pid) : psEnviron(pid);
}

/**
 * Pids of processes listening on a TCP port (any address); undefined when this machine cannot tell
 * (no /proc, and neither `ss` nor `lsof` names the owner). Synchronous.
 */
export function portHolders(port: number): number[] | undefined {
  if (hasProcfs) return pidsHoldingInodes(listeningInodes(port));
  return listeningPids(port);
}

/** Port holders, as a promise (what the port passes await); none when they cannot be told. */
export async function portHoldersAsync(port: number): Promise<number[]> {
  return portHolders(port) ?? [];
}

export function commandOf(pid: number): string {
  return hasProcfs ? readCmdline(pid) : psCommand(pid);
}

export function uidOf(pid: number): number | undefined {
  return hasProcfs ? readUid(pid) : psUid(pid);
}

/** The pid's ancestors, nearest first, up to (and including) PID 1. */
export function ancestorsOf(pid: number): number[] {
  const out: number[] = [];
  let cur = processInfo(pid)?.ppid;
  while (cur !== undefined && cur > 0 && !out.includes(cur)) {
    out.push(cur);
    if (cur === 1) break;
    cur = processInfo(cur)?.ppid;
  }
  return out;
}

/** Descendants of a pid (by parent links), from one table snapshot. */
export function descendantsOf(pid: number, table: ProcStat[] = allProcesses()): ProcStat[] {
  const children = new Map<number, ProcStat[]>();
  for (const p of table) {
    const list = children.get(p.ppid) ?? [];
    list.push(p);
    children.set(p.ppid, list);
  }
  const out: ProcStat[] = [];
  const queue = [pid];
  while (queue.length) {
    for (const child of children.get(queue.shift()!) ?? []) {
      out.push(child);
      queue.push(child.pid);
    }
  }
  return out;
}

