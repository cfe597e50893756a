/**
 * The ledger: one JSON file per run in the per-user state folder, written atomically (write a temp
 * file, then rename), so a later run can reap what a killed job left and never touch a live one.
 *
 * Records are keyed by host (hostname + boot id): with a shared $HOME (NFS) several machines share the
 * folder, and a record of another host names processes that are not on this machine. Only this host's
 * records are ever reaped or removed.
 */
import { lstatSync, readFileSync, readdirSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { releasePortLocks } from './port-locks.js';
import { isRunRecord, recordProblem } from './record-shape.js';
import { ensureStateDir, stateDir } from './state-dir.js';

export interface ProcessId {
  pid: number;
  startTime: number;
}

export interface LedgerService {
  name: string;
  pgid: number;
  leaderStartTime: number;
  stopSignal: NodeJS.Signals;
  stopTimeout: number;
  port?: number;
  /** Every process of the service seen when it became ready. */
  pids: ProcessId[];
  /** The base URL handed to tests, once ready. */
  url?: string;
  /** When it became ready (ISO time). */
  readyAt?: string;
  /** Hash of the service's resolved definition (ledger/definition-hash.ts), for warm reuse. */
  definition?: string;
  /** Where its output goes (services of `cleanroom up`). */
  logFile?: string;
  /** The compared parts of the definition, to say what differs (ledger/definition-hash.ts). */
  spec?: Record<string, string>;
}

export type RunKind = 'up' | 'test';

export interface RunRecord {
  runId: string;
  /** 'up': started by `cleanroom up` and kept running; 'test' (or absent): a test run. */
  kind?: RunKind;
  /** The `cleanroom up` invocation this run belongs to (one run per service there, so each can restart). */
  upId?: string;
  /** The config's root folder (where its file is): warm reuse matches `up` runs of the same project. */
  root?: string;
  /** The host's name: with a shared home folder, another host's records are never touched. */
  host?: string;
  /** The kernel's boot id: start times count from boot, so a record from another boot names no live process. */
  bootId?: string;
  runner: ProcessId & { command: string };
  watchdog?: ProcessId;
  cwd: string;
  startedAt: string;
  services: LedgerService[];
}

function revive(_key: string, value: unknown): unknown {
  return value === null ? Number.NaN : value;
}

function recordFile(runId: string): string | undefined {
  const dir = ensureStateDir();
  return dir && join(dir, `${runId}.json`);
}

/** This boot's id (Linux), or undefined. */
export function currentBootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** This host's name, as records carry it. */
export function currentHost(): string {
  try {
    return hostname();
  } catch {
    return '';
  }
}

/**
 * Which machine a record is from. 'this-boot': this host, this boot. 'old-boot': this host, an
 * earlier boot (nothing it names can be alive). 'other-host': another machine sharing the folder.
 * A record without a host (written before hosts were recorded) counts as this host only when its
 * boot id is this boot's; otherwise it may be another host's, and it is left alone.
 */
export function recordOrigin(r: RunRecord): 'this-boot' | 'old-boot' | 'other-host' {
  const boot = currentBootId();
  if (r.host !== undefined) {
    if (r.host !== currentHost()) return 'other-host';
    return r.bootId && boot && r.bootId !== boot ? 'old-boot' : 'this-boot';
  }
  if (!r.bootId || !boot || r.bootId === boot) return 'this-boot';
  return 'other-host';
}

export function writeRecord(record: RunRecord): void {
  const file = recordFile(record.runId);
  if (!file) return;
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, JSON.stringify({ host: currentHost(), ...record }, null, 2), { mode: 0o600 });
    renameSync(tmp, file);
  } catch {
    // The ledger is the last line of defence; a read-only home must not stop a test run.
  }
}

/** Synchronous: also called from the exit guard. */
export function removeRecord(runId: string): void {
  try {
    unlinkSync(join(stateDir(), `${runId}.json`));
  } catch {
    /* already gone */
  }
  releasePortLocks(runId);
}

const warnedFiles = new Set<string>();

/** Says once per file (per process) that it was skipped. */
function warnSkipped(file: string, why: string): void {
  if (warnedFiles.has(file)) return;
  warnedFiles.add(file);
  process.stderr.write(`cleanroom: skipping ${file} in the state folder: ${why}. It is not a cleanroom run record; remove it if you do not need it.\n`);
}

/**
 * Every record in the state folder, of every host. Never throws: a file of another shape, or not
 * ours, is skipped (with one warning); one being written right now (no JSON yet) is skipped silently.
 */
export function readRecords(): RunRecord[] {
  const dir = ensureStateDir();
  if (!dir) return [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
  const out: RunRecord[] = [];
  for (const name of names) {
    if (!name.endsWith('.json')) continue;
    const file = join(dir, name);
    let raw: unknown;
    try {
      const st = lstatSync(file);
      if (!st.isFile()) continue;
      if (uid !== undefined && st.uid !== uid) {
        warnSkipped(file, `it belongs to another user (uid ${st.uid})`);
        continue;
      }
      raw = JSON.parse(readFileSync(file, 'utf8'), revive);
    } catch {
      continue; // half-written by a dying run (writes are atomic, but a crash can leave a temp): skip
    }
    if (isRunRecord(raw)) out.push(raw);
    else warnSkipped(file, recordProblem(raw) ?? 'unknown shape');
  }
  return out;
}

/** This host's records only (this boot's and older boots'). */
export function readHostRecords(): RunRecord[] {
  return readRecords().filter((r) => recordOrigin(r) !== 'other-host');
}
