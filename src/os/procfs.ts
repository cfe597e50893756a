/**
 * Synchronous reads of Linux's /proc. Synchronous on purpose: the exit guard runs inside
 * `process.on('exit')`, where no promise or timer ever completes.
 */
import { closeSync, openSync, readFileSync, readSync, readdirSync, readlinkSync } from 'node:fs';

/**
 * True on Linux with /proc mounted. `CLEANROOM_PROCFS=0` turns it off (the portable `ps` path is then
 * used, as on macOS): how that path is tested on Linux.
 */
export const hasProcfs =
  process.env.CLEANROOM_PROCFS !== '0' && process.platform === 'linux' && safe(() => readdirSync('/proc/self').length > 0, false);

function safe<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch {
    return fallback;
  }
}

export interface ProcStat {
  pid: number;
  /** One-letter state: R, S, D, Z (zombie), T... */
  state: string;
  ppid: number;
  pgid: number;
  sid: number;
  /** Clock ticks since boot: together with the pid, identifies one process for its whole life. */
  startTime: number;
}

/** Parses /proc/PID/stat. The command name may hold spaces and parentheses, so split after the last ')'. */
export function readStat(pid: number): ProcStat | undefined {
  const text = safe(() => readFileSync(`/proc/${pid}/stat`, 'utf8'), '');
  const end = text.lastIndexOf(')');
  if (end < 0) return undefined;
  const f = text.slice(end + 2).split(' ');
  // f[0] is field 3 (state); field N is f[N - 3].
  return {
    pid,
    state: f[0] ?? '?',
    ppid: Number(f[1]),
    pgid: Number(f[2]),
    sid: Number(f[3]),
    startTime: Number(f[19]),
  };
}

/** Every pid visible in /proc. */
export function listPids(): number[] {
  const pids: number[] = [];
  for (const name of safe(() => readdirSync('/proc'), [] as string[])) {
    const c = name.charCodeAt(0);
    if (c >= 48 && c <= 57) pids.push(Number(name));
  }
  return pids;
}

/** Every process's stat, zombies included. ~3 ms for 300 processes. */
export function listStats(): ProcStat[] {
  const out: ProcStat[] = [];
  for (const pid of listPids()) {
    const s = readStat(pid);
    if (s) out.push(s);
  }
  return out;
}

/** The value of one environment variable of a process, or undefined (not ours, gone, or unset). */
export function readEnvVar(pid: number, name: string): string | undefined {
  const env = safe(() => readFileSync(`/proc/${pid}/environ`, 'latin1'), '');
  if (!env) return undefined;
  const key = `${name}=`;
  let start: number;
  if (env.startsWith(key)) start = key.length;
  else {
    const at = env.indexOf(`\0${key}`);
    if (at < 0) return undefined;
    start = at + 1 + key.length;
  }
  const stop = env.indexOf('\0', start);
  return env.slice(start, stop < 0 ? undefined : stop);
}

/** A process's whole environment as it was when it started (later changes to process.env are not in it). */
export function readEnviron(pid: number | 'self'): Map<string, string> | undefined {
  const text = safe(() => readFileSync(`/proc/${pid}/environ`, 'latin1'), undefined);
  if (text === undefined) return undefined;
  const env = new Map<string, string>();
  for (const kv of text.split('\0')) {
    const at = kv.indexOf('=');
    if (at > 0) env.set(kv.slice(0, at), kv.slice(at + 1));
  }
  return env;
}

/** The command line, for messages. */
export function readCmdline(pid: number): string {
  return safe(() => readFileSync(`/proc/${pid}/cmdline`, 'utf8'), '').split('\0').filter(Boolean).join(' ');
}

/** The real uid owning a process, or undefined when it is gone. */
export function readUid(pid: number): number | undefined {
  const status = safe(() => readFileSync(`/proc/${pid}/status`, 'utf8'), '');
  const m = /^Uid:\s+(\d+)/m.exec(status);
  return m ? Number(m[1]) : undefined;
}

/** A LISTEN row of /proc/net/tcp{,6}: state 0A; the local address is HEX_IP:HEX_PORT. */
interface ListenRow {
  v6: boolean;
  hexIp: string;
  port: number;
  inode: string;
}

/**
 * A read() of a /proc/net file never returns more than the kernel's seq_file buffer (4 KB at least):
 * a shorter answer, with room left in it for another row, means the table ended. Rows are ~150 bytes.
 */
const SEQ_BUF_MIN = 4096;
const MAX_ROW = 512;
const chunk = Buffer.allocUnsafe(64 * 1024);

/**
 * The whole text of a /proc/net/tcp{,6} file. Each read() walks the kernel's whole socket hash
 * (~2.7 ms here, however few sockets there are); readFileSync reads once more to see the end and so
 * walks it twice. One read is enough when its answer says the table ended.
 */
function readProcNet(file: string): string {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return '';
  }
  try {
    let text = '';
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, null);
      text += chunk.toString('latin1', 0, n);
      if (n === 0 || n <= SEQ_BUF_MIN - MAX_ROW) return text;
    }
  } catch {
    return '';
  } finally {
    closeSync(fd);
  }
}

function parseListenRows(text: string, v6: boolean, rows: ListenRow[]): void {
  for (const line of text.split('\n').slice(1)) {
    if (!line.includes(' 0A ')) continue; // most rows: an established connection
    const cols = line.trim().split(/\s+/);
    if (cols.length < 10 || cols[3] !== '0A') continue;
    const local = cols[1] ?? '';
    const at = local.lastIndexOf(':');
    rows.push({ v6, hexIp: local.slice(0, at), port: parseInt(local.slice(at + 1), 16), inode: cols[9] ?? '' });
  }
}

type NetFile = '/proc/net/tcp' | '/proc/net/tcp6';
/** The last read of each file, and when it began (performance.now()). */
const lastRead = new Map<NetFile, { at: number; rows: ListenRow[] }>();

/**
 * The LISTEN rows of one file, as read at `notBefore` or later: a read that recent is reused (several
 * services' watchers, or their ready checks, share one read), an older one is not.
 */
function fileRows(file: NetFile, notBefore: number): ListenRow[] {
  const last = lastRead.get(file);
  if (last && last.at >= notBefore) return last.rows;
  const at = performance.now();
  const rows: ListenRow[] = [];
  parseListenRows(readProcNet(file), file === '/proc/net/tcp6', rows);
  lastRead.set(file, { at, rows });
  return rows;
}

/**
 * Every TCP socket listening on this machine (IPv4 and IPv6). `maxAgeMs`: a table read that long ago
 * will do (the watchers of several services share one read per tick); 0, the default, reads now.
 */
function listenRows(maxAgeMs = 0): ListenRow[] {
  const notBefore = maxAgeMs > 0 ? performance.now() - maxAgeMs : Number.POSITIVE_INFINITY;
  return [...fileRows('/proc/net/tcp', notBefore), ...fileRows('/proc/net/tcp6', notBefore)];
}

/** Socket inodes listening on a TCP port (IPv4 and IPv6), from /proc/net/tcp{,6}; `maxAgeMs` as listenRows. */
export function listeningInodes(port: number, maxAgeMs = 0): Set<string> {
  const inodes = new Set(listenRows(maxAgeMs).filter((r) => r.port === port).map((r) => r.inode));
  inodes.delete('');
  inodes.delete('0');
  return inodes;
}

/**
 * A process and its descendants, from /proc/PID/task/TID/children: a few small reads instead of a scan
 * of every process. Empty when the kernel has no such files (CONFIG_PROC_CHILDREN): callers then scan.
 * Empty too unless `root` still has `rootStartTime` (a known one): a service's leader pid is reused
 * once its group is gone, and the new owner's tree is not the service's (as groupBelongsToRun).
 */
export function treePids(root: number, rootStartTime: number): number[] {
  if (Number.isNaN(rootStartTime) || readStat(root)?.startTime !== rootStartTime) return [];
  const out: number[] = [];
  const queue = [root];
  const seen = new Set<number>();
  while (queue.length) {
    const pid = queue.shift()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    const tasks = safe(() => readdirSync(`/proc/${pid}/task`), [] as string[]);
    if (tasks.length === 0) continue;
    out.push(pid);
    for (const tid of tasks) {
      const text = safe(() => readFileSync(`/proc/${pid}/task/${tid}/children`, 'latin1'), undefined);
      if (text === undefined) return pid === root ? [] : out;
      for (const c of text.split(' ')) if (c) queue.push(Number(c));
    }
  }
  return out;
}

/** The socket inodes a process holds open (empty when gone or not readable). */
export function socketInodes(pid: number): Set<string> {
  const out = new Set<string>();
  for (const fd of safe(() => readdirSync(`/proc/${pid}/fd`), [] as string[])) {
    const link = safe(() => readlinkSync(`/proc/${pid}/fd/${fd}`), '');
    if (link.startsWith('socket:[')) out.add(link.slice(8, -1));
  }
  return out;
}

/**
 * True when one of `inodes` is a TCP socket listening on `port`. Reads /proc/net/tcp6 first and stops
 * at the first match: each file costs a walk of the kernel's hash table, and Node's default listen()
 * ([::], dual-stack) is in tcp6. `notBefore` (performance.now() time): a read begun then or later will
 * do — e.g. one taken after a probe's connection succeeded already shows that listener.
 */
export function isListeningOn(port: number, inodes: Set<string>, notBefore = Number.POSITIVE_INFINITY): boolean {
  if (inodes.size === 0) return false;
  for (const file of ['/proc/net/tcp6', '/proc/net/tcp'] as const) {
    if (fileRows(file, notBefore).some((r) => r.port === port && inodes.has(r.inode))) return true;
  }
  return false;
}

/**
 * Every pid holding one of these socket inodes open. Only our own processes' fds are readable
 * (unless root): another user's listener yields no pid, which callers treat as "not ours".
 */
export function pidsHoldingInodes(inodes: Set<string>): number[] {
  if (inodes.size === 0) return [];
  const found: number[] = [];
  for (const pid of listPids()) {
    const fds = safe(() => readdirSync(`/proc/${pid}/fd`), [] as string[]);
    for (const fd of fds) {
      const link = safe(() => readlinkSync(`/proc/${pid}/fd/${fd}`), '');
      if (link.startsWith('socket:[') && inodes.has(link.slice(8, -1))) {
        found.push(pid);
        break;
      }
    }
  }
  return found;
}

/**
 * The local addresses listening on a TCP port, from /proc/net/tcp{,6}: '127.0.0.1', '0.0.0.0', '::1',
 * '::' (a dual-stack socket, unless IPV6_V6ONLY), or another address. Empty when nothing listens (or
 * no /proc).
 */
export function listeningAddresses(port: number): string[] {
  return [...new Set(listenRows().filter((r) => r.port === port).map((r) => (r.v6 ? decodeV6(r.hexIp) : decodeV4(r.hexIp))))];
}

/** /proc/net/tcp prints an IPv4 address as one little-endian 32-bit hex word. */
function decodeV4(hex: string): string {
  const n = parseInt(hex, 16);
  return [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24].join('.');
}

/** ...and an IPv6 address as four such words. Only the forms that matter here are named. */
function decodeV6(hex: string): string {
  if (/^0+$/.test(hex)) return '::';
  if (hex === '00000000000000000000000001000000') return '::1';
  if (hex.startsWith('0000000000000000FFFF0000')) return `::ffff:${decodeV4(hex.slice(24))}`;
  return hex;
}

/** The TCP ports these processes listen on (any address), from their fds and /proc/net/tcp{,6}; `maxAgeMs` as listenRows. */
export function listeningPortsOf(pids: number[], maxAgeMs = 0): number[] {
  const portByInode = new Map(listenRows(maxAgeMs).map((r) => [r.inode, r.port]));
  const ports = new Set<number>();
  for (const pid of pids) {
    for (const inode of socketInodes(pid)) {
      const port = portByInode.get(inode);
      if (port !== undefined) ports.add(port);
    }
  }
  return [...ports].sort((a, b) => a - b);
}
