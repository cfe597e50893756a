/**
 * Port reservations for port: 'auto': one file per port in the state folder, created exclusively
 * (O_EXCL), so two runs starting at the same moment never pick the same port. A reservation holds
 * while its runner lives and its run is in the ledger (or for a short while before the first record).
 */
import { openSync, closeSync, readFileSync, readdirSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { isSameProcess, processInfo } from '../os/process-table.js';
import { ensureStateDir, stateDir } from './state-dir.js';

/** A reservation made before its run's first record is trusted this long. */
const FRESH_MS = 60_000;

interface Lock {
  runId: string;
  pid: number;
  startTime: number;
}

function lockFile(dir: string, port: number): string {
  return join(dir, `port-${port}.lock`);
}

function readLock(file: string): Lock | undefined {
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as Partial<Lock>;
    if (typeof v.runId === 'string' && typeof v.pid === 'number') return { runId: v.runId, pid: v.pid, startTime: v.startTime ?? Number.NaN };
  } catch {
    /* half-written or not ours */
  }
  return undefined;
}

function isFresh(file: string): boolean {
  try {
    return Date.now() - statSync(file).mtimeMs < FRESH_MS;
  } catch {
    return false;
  }
}

function isValid(dir: string, file: string, lock: Lock | undefined): boolean {
  // Empty or half-written: another run created it (O_EXCL) a moment ago and is writing it now. Taking
  // it for stale here let two runs at once pick the same port (seen in CI).
  if (!lock) return isFresh(file);
  if (!isSameProcess(lock.pid, lock.startTime)) return false;
  try {
    statSync(join(dir, `${lock.runId}.json`));
    return true;
  } catch {
    return isFresh(file);
  }
}

/** Takes `port` for `runId`; false when another valid reservation holds it. True also when there is no ledger. */
export function reservePort(port: number, runId: string): boolean {
  const dir = ensureStateDir();
  if (!dir) return true; // no state folder: the bind check alone decides
  const file = lockFile(dir, port);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, JSON.stringify({ runId, pid: process.pid, startTime: processInfo(process.pid)?.startTime ?? null }));
      closeSync(fd);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') return true;
      if (isValid(dir, file, readLock(file))) return false;
      try {
        unlinkSync(file); // stale: its run is over
      } catch {
        /* another run took it over first */
      }
    }
  }
  return false;
}

/**
 * True while `runId` still holds `port`'s reservation. Two runs that both judged an old lock stale can
 * race: one removes the file the other has just created. Checking again a moment after taking it
 * settles that: the run that lost sees the other's lock and picks another port.
 */
export function holdsPort(port: number, runId: string): boolean {
  const dir = ensureStateDir();
  if (!dir) return true;
  return readLock(lockFile(dir, port))?.runId === runId;
}

/** Ports reserved by other runs right now. */
export function reservedPorts(ownRunId?: string): Set<number> {
  const out = new Set<number>();
  const dir = ensureStateDir();
  if (!dir) return out;
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    const m = /^port-(\d+)\.lock$/.exec(name);
    if (!m) continue;
    const file = join(dir, name);
    const lock = readLock(file);
    if (lock && lock.runId !== ownRunId && isValid(dir, file, lock)) out.add(Number(m[1]));
  }
  return out;
}

/** Drops every reservation of `runId` (synchronous: called with the run's record removal). */
export function releasePortLocks(runId: string): void {
  const dir = stateDir();
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!/^port-\d+\.lock$/.test(name)) continue;
    const file = join(dir, name);
    if (readLock(file)?.runId === runId) {
      try {
        unlinkSync(file);
      } catch {
        /* gone */
      }
    }
  }
}
