/**
 * CPU and memory of a process tree, from /proc: utime+stime (fields 14-15 of /proc/PID/stat) and
 * VmRSS (/proc/PID/status). CPU % is the average since each process started (CPU time / its
 * lifetime), summed over the tree: no sampling delay, so `cleanroom status` answers at once; a
 * 100 % reading is one core kept busy for the process's whole life.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let ticks: number | undefined;
/** Clock ticks per second (USER_HZ): 100 on every common Linux, asked of getconf once. */
function clockTicks(): number {
  if (ticks === undefined) {
    try {
      ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticks = 100;
    }
  }
  return ticks;
}

function read(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** Seconds since boot. */
function uptimeSeconds(): number {
  return Number(read('/proc/uptime').split(' ')[0]) || 0;
}

export interface Usage {
  /** CPU time over lifetime, percent of one core. */
  cpuPercent: number;
  rssBytes: number;
  /** Milliseconds since the process started. */
  ageMs: number;
}

export function processUsage(pid: number): Usage | undefined {
  const stat = read(`/proc/${pid}/stat`);
  const end = stat.lastIndexOf(')');
  if (end < 0) return undefined;
  const f = stat.slice(end + 2).split(' ');
  const hz = clockTicks();
  const cpuSeconds = (Number(f[11]) + Number(f[12])) / hz; // utime, stime (fields 14, 15)
  const ageSeconds = Math.max(uptimeSeconds() - Number(f[19]) / hz, 0.001); // starttime (field 22)
  const rssKb = Number(/^VmRSS:\s+(\d+)/m.exec(read(`/proc/${pid}/status`))?.[1] ?? 0);
  return { cpuPercent: (100 * cpuSeconds) / ageSeconds, rssBytes: rssKb * 1024, ageMs: ageSeconds * 1000 };
}

/** Summed over pids; `ageMs` is the oldest process's age. */
export function treeUsage(pids: number[]): Usage {
  const total: Usage = { cpuPercent: 0, rssBytes: 0, ageMs: 0 };
  for (const pid of pids) {
    const u = processUsage(pid);
    if (!u) continue;
    total.cpuPercent += u.cpuPercent;
    total.rssBytes += u.rssBytes;
    total.ageMs = Math.max(total.ageMs, u.ageMs);
  }
  total.cpuPercent = Math.round(total.cpuPercent * 10) / 10;
  return total;
}

export function fmtBytes(n: number): string {
  if (n >= 1024 * 1024 * 1024) return `${(n / 1024 ** 3).toFixed(1)} GiB`;
  if (n >= 1024 * 1024) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${Math.round(n / 1024)} KiB`;
}

export function fmtDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
