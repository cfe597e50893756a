/**
 * The shape check for ledger records, run on every file read back from the state folder. A file of
 * any other shape (another tool's JSON, an older or newer cleanroom, a hand edit) is skipped, never
 * trusted: the reaper signals what a record names.
 *
 * Hand-written rather than zod: importing zod costs ~80 ms, and the ledger is read by every start()
 * and by every `cleanroom status`/`sweep`, before anything else happens; the config schema is being
 * made lazy for the same reason. The shape is small and flat, so a few checks cover it.
 */
import type { LedgerService, ProcessId, RunRecord } from './ledger.js';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** JSON has no NaN: a start time that could not be read is stored as null and read back as NaN. */
function isTime(v: unknown): boolean {
  return typeof v === 'number' || Number.isNaN(v as number);
}

function isPid(v: unknown): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v > 0;
}

function isProcessId(v: unknown): v is ProcessId {
  return isObj(v) && isPid(v.pid) && isTime(v.startTime);
}

function isService(v: unknown): v is LedgerService {
  return (
    isObj(v) &&
    typeof v.name === 'string' &&
    isPid(v.pgid) &&
    isTime(v.leaderStartTime) &&
    typeof v.stopSignal === 'string' &&
    /^SIG[A-Z0-9]+$/.test(v.stopSignal) &&
    typeof v.stopTimeout === 'number' &&
    (v.port === undefined || (typeof v.port === 'number' && Number.isInteger(v.port))) &&
    Array.isArray(v.pids) &&
    v.pids.every(isProcessId)
  );
}

/** Why `raw` is not a run record, or undefined when it is one. */
export function recordProblem(raw: unknown): string | undefined {
  if (!isObj(raw)) return 'not a JSON object';
  if (typeof raw.runId !== 'string' || !raw.runId) return 'no runId';
  if (!isObj(raw.runner) || !isProcessId(raw.runner) || typeof raw.runner.command !== 'string') return 'no runner { pid, startTime, command }';
  if (raw.watchdog !== undefined && !isProcessId(raw.watchdog)) return 'watchdog is not { pid, startTime }';
  if (raw.bootId !== undefined && typeof raw.bootId !== 'string') return 'bootId is not a string';
  if (raw.host !== undefined && typeof raw.host !== 'string') return 'host is not a string';
  if (raw.kind !== undefined && raw.kind !== 'up' && raw.kind !== 'test') return 'kind is not "up" or "test"';
  if (raw.root !== undefined && typeof raw.root !== 'string') return 'root is not a string';
  if (raw.upId !== undefined && typeof raw.upId !== 'string') return 'upId is not a string';
  if (typeof raw.cwd !== 'string' || typeof raw.startedAt !== 'string') return 'no cwd or startedAt';
  if (!Array.isArray(raw.services)) return 'services is not a list';
  const bad = raw.services.findIndex((s) => !isService(s));
  if (bad >= 0) return `services[${bad}] is not { name, pgid, leaderStartTime, stopSignal, stopTimeout, pids }`;
  return undefined;
}

export function isRunRecord(raw: unknown): raw is RunRecord {
  return recordProblem(raw) === undefined;
}
