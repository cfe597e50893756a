/**
 * The ledger: one JSON file per run in the per-user state folder, written atomically (write a temp
 * file, then rename), so a later run can reap what a killed job left and never touch a live one.
 */
import { readFileSync, readdirSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
}

export interface RunRecord {
  runId: string;
  /** The kernel's boot id: start times count from boot, so a record from another boot names no live process. */
  bootId?: string;
  runner: ProcessId & { command: string };
  watchdog?: ProcessId;
  cwd: string;
  startedAt: string;
  services: LedgerService[];
}

/** JSON has no NaN: start times that could not be read are stored as null and read back as NaN. */
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

export function writeRecord(record: RunRecord): void {
  const file = recordFile(record.runId);
  if (!file) return;
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, JSON.stringify(record, null, 2), { mode: 0o600 });
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
}

export function readRecords(): RunRecord[] {
  const dir = ensureStateDir();
  if (!dir) return [];
  const out: RunRecord[] = [];
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.json')) continue;
    try {
      out.push(JSON.parse(readFileSync(join(dir, name), 'utf8'), revive) as RunRecord);
    } catch {
      /* half-written by a dying run, or not ours: skip */
    }
  }
  return out;
}
