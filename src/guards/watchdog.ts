/**
 * The runner's side of the watchdog: a small sidecar process in its own session, connected by a pipe
 * (its stdin). It is told each service's group; when the pipe closes without a goodbye — the runner
 * died in any way, `kill -9` included — it stops every group and tagged process, then exits.
 *
 * It never keeps the runner alive (child and pipe are unref'd), and exits by itself after a clean stop.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { RUNNER_VAR, protectPid, runnerTag } from '../kill/policy.js';
import { RUN_ID_VAR, SERVICE_VAR, isSameProcess, processInfo } from '../os/process-table.js';
import type { ServiceTree } from '../stop/service-tree.js';

export type WatchdogMessage =
  | { t: 'track'; tree: ServiceTree }
  | { t: 'untrack'; runId: string; name: string }
  /** The exiting runner sent these trees (`runId/name`) their stop signal at `at` (epoch ms): escalate from there. */
  | { t: 'stopping'; at: number; trees: string[] }
  | { t: 'bye' };

interface Watchdog {
  child: ChildProcess;
  pid: number;
  startTime: number;
  tracked: Set<string>;
}

let current: Watchdog | undefined;
/** Where a watchdog that cannot run is reported; set by each start(). */
let warn: (msg: string) => void = (msg) => process.stderr.write(`cleanroom: ${msg}\n`);
let warned = false;

/**
 * Says once (per start()) that kill -9 of the runner is not covered. Everything else still is: the
 * in-process guards handle signals, crashes and exits, and the next start() reaps from the ledger.
 */
function warnUnprotected(what: string): void {
  if (warned) return;
  warned = true;
  warn(
    `the watchdog ${what}: if this runner is killed with SIGKILL (kill -9, the OOM killer, a CI timeout), its services will be left running ` +
      `until the next cleanroom start() reaps them. Signals, crashes and a normal end are still covered. ` +
      `The watchdog is a node process (${process.execPath}) started with the runner's environment: check NODE_OPTIONS and the limits on processes.`,
  );
}

/** The compiled sidecar script. Under `vitest` from src/ there is no .js beside this file: use dist/. */
function scriptPath(): string {
  const here = fileURLToPath(new URL('./watchdog-process.js', import.meta.url));
  if (existsSync(here)) return here;
  return fileURLToPath(new URL('../../dist/guards/watchdog-process.js', import.meta.url));
}

function send(wd: Watchdog, msg: WatchdogMessage): void {
  if (wd.child.stdin?.writable) wd.child.stdin.write(`${JSON.stringify(msg)}\n`);
}

function ensure(): Watchdog | undefined {
  if (current) return current;
  const env = { ...process.env };
  for (const k of [RUN_ID_VAR, SERVICE_VAR, RUNNER_VAR]) delete env[k]; // not a service: no run tag
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, [scriptPath(), runnerTag()], { detached: true, stdio: ['pipe', 'ignore', 'ignore'], env });
  } catch (error) {
    warnUnprotected(`could not be started (${(error as Error).message})`);
    return undefined; // the in-process guards still cover every end but SIGKILL
  }
  child.on('error', (error) => warnUnprotected(`could not be started (${error.message})`));
  child.stdin?.on('error', () => {}); // EPIPE if the watchdog died: nothing to do about it here
  child.unref();
  (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  const pid = child.pid ?? -1;
  if (pid > 0) protectPid(pid);
  current = { child, pid, startTime: processInfo(pid)?.startTime ?? Number.NaN, tracked: new Set() };
  child.once('exit', (code, signal) => {
    // Not told goodbye (that clears `current` first): it died while it was still needed.
    if (current?.child !== child) return;
    current = undefined;
    warnUnprotected(`(pid ${pid}) ${signal ? `was killed by ${signal}` : `exited with code ${code}`} while the run still needed it`);
  });
  return current;
}

/**
 * Launches the watchdog before anything is spawned, so no service is ever without one. `onProblem`
 * hears, once, that it could not be started or died (kill -9 protection is then off).
 */
export function watchdogEnsure(onProblem?: (msg: string) => void): void {
  if (onProblem) warn = onProblem;
  warned = false;
  ensure();
}

/** Tells the watchdog about a started service (launching the watchdog on first use). */
export function watchdogTrack(tree: ServiceTree): void {
  const wd = ensure();
  if (!wd) return;
  wd.tracked.add(`${tree.runId}/${tree.name}`);
  send(wd, { t: 'track', tree });
}

/** The service has been stopped cleanly; when none is left, the watchdog is told goodbye and exits. */
export function watchdogUntrack(runId: string, name: string): void {
  const wd = current;
  if (!wd) return;
  wd.tracked.delete(`${runId}/${name}`);
  send(wd, { t: 'untrack', runId, name });
  releaseIfIdle(wd);
}

/** Says goodbye when nothing is tracked any more (also after a start() that failed before tracking). */
export function watchdogRelease(): void {
  if (current) releaseIfIdle(current);
}

function releaseIfIdle(wd: Watchdog): void {
  if (wd.tracked.size === 0) {
    send(wd, { t: 'bye' });
    wd.child.stdin?.end();
    current = undefined;
  }
}

/** True while a watchdog is running for this process. */
export function watchdogAlive(): boolean {
  // The exit event may not have been processed yet (the exit guard runs synchronously): ask the OS too.
  return !!current && current.child.exitCode === null && current.child.signalCode === null && !!current.child.stdin?.writable && isSameProcess(current.pid, current.startTime);
}

/**
 * Called by the exit guard as it sends the stop signals (or finds they were sent `signalledMsAgo`
 * before, by the signal guard): the watchdog will not send them again when
 * the pipe closes, and SIGKILLs what is left once each service's stopTimeout has passed. A small pipe
 * write completes at once (libuv writes synchronously when nothing is queued), so this works in 'exit'.
 */
export function watchdogStopping(trees: ServiceTree[], signalledMsAgo = 0): void {
  if (current) send(current, { t: 'stopping', at: Date.now() - signalledMsAgo, trees: trees.map((t) => `${t.runId}/${t.name}`) });
}

/** The watchdog's pid and start time, for the ledger. */
export function watchdogIdentity(): { pid: number; startTime: number } | undefined {
  return current && { pid: current.pid, startTime: current.startTime };
}
