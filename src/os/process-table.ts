/**
 * The one small interface to the OS process table. Linux reads /proc (synchronous, so it also works in
 * the exit guard); elsewhere it falls back to one `ps` call, which cannot see environments, start times
 * or socket owners (escaped-descendant search and port ownership are Linux-only; see README).
 */
import { execFileSync } from 'node:child_process';
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

export const RUN_ID_VAR = 'CLEANROOM_RUN_ID';
export const SERVICE_VAR = 'CLEANROOM_SERVICE';

export type { ProcStat };

function psStats(): ProcStat[] {
  let text = '';
  try {
    text = execFileSync('ps', ['-A', '-o', 'pid=,ppid=,pgid=,stat='], { encoding: 'utf8' });
  } catch {
    return [];
  }
  return text
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((c) => c.length >= 4)
    .map(([pid, ppid, pgid, stat]) => ({
      pid: Number(pid),
      ppid: Number(ppid),
      pgid: Number(pgid),
      sid: 0,
      state: (stat ?? '?').charAt(0),
      startTime: Number.NaN,
    }));
}

/** All processes, zombies included. */
export function allProcesses(): ProcStat[] {
  return hasProcfs ? listStats() : psStats();
}

/** One process, or undefined when gone. */
export function processInfo(pid: number): ProcStat | undefined {
  return hasProcfs ? readStat(pid) : psStats().find((p) => p.pid === pid);
}

/** A zombie has exited already; it only waits to be reaped (by PID 1 here, sometimes a second later). */
export function isGone(p: ProcStat | undefined): boolean {
  return !p || p.state === 'Z' || p.state === 'X';
}

/**
 * True when `pid` still names the process first seen with `startTime`. Where start times cannot be
 * read (no /proc), a live pid is taken as the same process.
 */
export function isSameProcess(pid: number, startTime: number): boolean {
  const p = processInfo(pid);
  if (isGone(p)) return false;
  return Number.isNaN(startTime) || Number.isNaN(p!.startTime) || p!.startTime === startTime;
}

/** Live (non-zombie) members of a process group. */
export function liveGroupMembers(pgid: number, table: ProcStat[] = allProcesses()): ProcStat[] {
  return table.filter((p) => p.pgid === pgid && !isGone(p));
}

/**
 * Live processes carrying a run's tag (optionally one service's), found through their environment:
 * this reaches descendants that left the process group with setsid() or a double fork.
 * Linux only; elsewhere returns nothing.
 */
export function taggedProcesses(runId: string, service?: string, table: ProcStat[] = allProcesses()): ProcStat[] {
  if (!hasProcfs) return [];
  return table.filter(
    (p) =>
      !isGone(p) &&
      readEnvVar(p.pid, RUN_ID_VAR) === runId &&
      (service === undefined || readEnvVar(p.pid, SERVICE_VAR) === service),
  );
}

/** Pids of processes listening on a TCP port (any address). Synchronous on Linux. */
export function portHolders(port: number): number[] {
  if (!hasProcfs) return [];
  return pidsHoldingInodes(listeningInodes(port));
}

/** Port holders, with the `ss`/`lsof`-based pid-port as the fallback where /proc is missing. */
export async function portHoldersAsync(port: number): Promise<number[]> {
  if (hasProcfs) return portHolders(port);
  try {
    const { portToPid } = await import('pid-port');
    // host '*': a server on [::]:PORT is not found under pid-port's default (localhost only).
    const pid = await portToPid({ port, host: '*' });
    return pid === undefined ? [] : [pid];
  } catch {
    return [];
  }
}

/** The environment a process started with (not later changes to its process.env), or undefined when unreadable. */
export function initialEnvironment(pid: number): Map<string, string> | undefined {
  if (hasProcfs) return readEnviron(pid);
  return undefined;
}

export function commandOf(pid: number): string {
  if (hasProcfs) return readCmdline(pid);
  try {
    return execFileSync('ps', ['-o', 'command=', '-p', String(pid)], { encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
}

export function uidOf(pid: number): number | undefined {
  if (hasProcfs) return readUid(pid);
  try {
    const out = execFileSync('ps', ['-o', 'uid=', '-p', String(pid)], { encoding: 'utf8' }).trim();
    return out ? Number(out) : undefined;
  } catch {
    return undefined;
  }
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

