/**
 * The portable process table, for where /proc is missing (macOS, the BSDs) or turned off
 * (`CLEANROOM_PROCFS=0`, which is how Linux CI tests this path): `ps` for the table, start times,
 * session leaders and environments; `ss`, else `lsof`, for port holders. Synchronous on purpose, like
 * procfs.ts: the exit guard and the watchdog read it where no promise completes.
 *
 * Start times here are seconds since the epoch (`ps -o lstart`), stored NEGATED so that they are never
 * mistaken for /proc's clock ticks since boot: a record written under one clock and read under the
 * other (a ledger shared by runs in both modes) compares as "cannot tell", never as "another process".
 */
import { execFileSync } from 'node:child_process';
import type { ProcStat } from './procfs.js';

/** C locale and UTC: `lstart` is then "Tue Dec  1 08:34:33 2026" in UTC on every platform. */
const PS_ENV = { ...process.env, LC_ALL: 'C', TZ: 'UTC' };
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function run(cmd: string, args: string[]): string | undefined {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', env: PS_ENV, stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    // ps -p PID exits 1 when the pid is gone, but still prints the header-less nothing: that is an answer.
    const out = (error as { stdout?: unknown }).stdout;
    return typeof out === 'string' && (error as { status?: unknown }).status === 1 ? out : undefined;
  }
}

/** "Tue Dec  1 08:34:33 2026" (UTC) → negated seconds since the epoch; NaN when unreadable. */
export function parseLstart(words: string[]): number {
  const [, mon, day, time, year] = words;
  const m = MONTHS.indexOf(mon ?? '');
  const [hh, mm, ss] = (time ?? '').split(':').map(Number);
  const ms = Date.UTC(Number(year), m, Number(day), hh ?? Number.NaN, mm ?? Number.NaN, ss ?? Number.NaN);
  return m < 0 || Number.isNaN(ms) ? Number.NaN : -(ms / 1000);
}

const STAT_COLUMNS = 'pid=,ppid=,pgid=,sess=,stat=,lstart=';

function parseStatLine(line: string): ProcStat | undefined {
  const c = line.trim().split(/\s+/);
  if (c.length < 10) return undefined;
  const [pid, ppid, pgid, sess, stat = '?'] = c;
  const p = Number(pid);
  // Session ids: Linux's `sess` is the sid; macOS prints a kernel address there. The 's' flag of
  // `stat` (session leader) means the same everywhere, and it is all the kill policy needs.
  const sessNum = /^\d+$/.test(sess ?? '') ? Number(sess) : Number.NaN;
  return {
    pid: p,
    ppid: Number(ppid),
    pgid: Number(pgid),
    sid: stat.includes('s') ? p : Number.isNaN(sessNum) || sessNum === p ? -1 : sessNum,
    state: stat.charAt(0),
    startTime: parseLstart(c.slice(5, 10)),
  };
}

/** Every process (zombies included), from one `ps` call. */
export function psStats(): ProcStat[] {
  const text = run('ps', ['-A', '-o', STAT_COLUMNS]) ?? '';
  return text
    .split('\n')
    .map(parseStatLine)
    .filter((p): p is ProcStat => !!p && Number.isInteger(p.pid) && p.pid > 0);
}

/** One process, or undefined when it is gone. */
export function psStat(pid: number): ProcStat | undefined {
  const text = run('ps', ['-o', STAT_COLUMNS, '-p', String(pid)]) ?? '';
  return text.split('\n').map(parseStatLine).find((p) => p?.pid === pid);
}

/**
 * A process's environment as `ps eww` shows it: the command line, then NAME=value words. A value
 * with a space in it is cut at the space; cleanroom's own tags have none.
 */
function parseEnvWords(words: string[]): Map<string, string> {
  const env = new Map<string, string>();
  for (const w of words) {
    const at = w.indexOf('=');
    if (at > 0 && /^[A-Za-z_][A-Za-z0-9_]*$/.test(w.slice(0, at))) env.set(w.slice(0, at), w.slice(at + 1));
  }
  return env;
}

/** One process's environment (as it started), or undefined when gone or unreadable (another user's). */
export function psEnviron(pid: number): Map<string, string> | undefined {
  const text = run('ps', ['eww', '-o', 'command=', '-p', String(pid)]);
  const line = text?.split('\n').find((l) => l.trim() !== '');
  return line === undefined ? undefined : parseEnvWords(line.trim().split(/\s+/));
}

/** Every process's environment, from one `ps eww` call (pid → NAME → value). */
export function psEnvirons(): Map<number, Map<string, string>> {
  const out = new Map<number, Map<string, string>>();
  for (const line of (run('ps', ['-A', 'eww', '-o', 'pid=,command=']) ?? '').split('\n')) {
    const words = line.trim().split(/\s+/);
    const pid = Number(words[0]);
    if (Number.isInteger(pid) && pid > 0) out.set(pid, parseEnvWords(words.slice(1)));
  }
  return out;
}

export function psCommand(pid: number): string {
  return (run('ps', ['-o', 'command=', '-p', String(pid)]) ?? '').trim();
}

export function psUid(pid: number): number | undefined {
  const out = (run('ps', ['-o', 'uid=', '-p', String(pid)]) ?? '').trim();
  return out ? Number(out) : undefined;
}

/**
 * Every pid listening on a TCP port (any address), from `ss`, else `lsof`; undefined when neither
 * can tell (missing, or the holder is another user's). Not pid-port: it returns only the first pid,
 * and a port held by a server and its forked workers has several.
 */
export function listeningPids(port: number): number[] | undefined {
  const ss = run('ss', ['-Htlnp', `sport = :${port}`]);
  if (ss !== undefined) {
    const pids = [...ss.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1]));
    if (pids.length > 0 || ss.trim() === '') return [...new Set(pids)];
    return undefined; // a listener is there, but ss may not name its owner
  }
  const lsof = run('lsof', ['-nP', `-iTCP:${port}`, '-sTCP:LISTEN', '-t']);
  if (lsof !== undefined) return [...new Set(lsof.split('\n').filter(Boolean).map(Number))];
  return undefined;
}
