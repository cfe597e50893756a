/**
 * The one stop loop: send each target its stop signal, wait until none of its processes is left,
 * SIGKILL what is still there after its stopTimeout, and confirm. Every path that stops something —
 * stop(), the signal and exit guards, the watchdog, reaping a stale run, clearing a port — runs these
 * same steps: an async form, and a synchronous one for the exit guard, where no timer ever fires.
 *
 * It never waits for stdout/stderr to close: a grandchild holding a pipe must not hang a stop.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { allProcesses, type ProcStat } from '../os/process-table.js';

/** Between two looks at the process table. */
const POLL_MS = 10;
/** The first look after a signal: a cooperative service is gone ~5 ms after SIGTERM, one SIGKILLed sooner. */
const AFTER_SIGNAL_MS = 3;
/** After SIGKILL the kernel needs a moment; past this a process is stuck (state D) and is reported. */
const KILL_WAIT_MS = 2000;

/** Something to stop: a service's tree, a port holder's tree, the loose processes of a dead runner. */
export interface StopTarget {
  name: string;
  stopSignal: NodeJS.Signals;
  /** How long after the stop signal SIGKILL follows. */
  stopTimeout: number;
  /** Its live processes in this snapshot of the process table (zombies count as gone). */
  live(table: ProcStat[]): ProcStat[];
  /** Delivers `signal` to `live` (each delivery checks the kill policy's rules). */
  signal(signal: NodeJS.Signals, live: ProcStat[]): void;
  /**
   * Set when the stop signal was sent already, this many ms ago (by a signal guard, or the watchdog's
   * fast path): SIGKILL comes that much sooner, and `signal` skips what had it.
   */
  signalledMsAgo?: number;
  /**
   * Runs before the stop signal (a service's stopCommand), unless the signal was sent already. What it
   * resolves with, a problem in words ("its stopCommand … exited with code 1"), goes in the result.
   */
  before?(): Promise<string | undefined>;
  /** The same for the synchronous form. */
  beforeSync?(): void;
}

export interface StopResult {
  name: string;
  /** Distinct processes that were alive when the stop began or appeared during it. */
  processes: number;
  /** Their pids. */
  pids: number[];
  /** True when SIGKILL was needed. */
  forced: boolean;
  /** Pids still alive after SIGKILL (normally empty), or when a synchronous stop gave up waiting. */
  survivors: number[];
  ms: number;
  /** What went wrong before the stop signal (a failed stopCommand), for the caller to report. */
  problem?: string;
}

interface Progress {
  target: StopTarget;
  t0: number;
  killAt: number;
  giveUpAt?: number;
  seen: Set<number>;
  signalled: Set<number>;
  live: ProcStat[];
  forced: boolean;
  done: boolean;
}

function begin(target: StopTarget, table: ProcStat[], now: number): Progress {
  const p: Progress = {
    target,
    t0: now,
    killAt: now + Math.max(0, target.stopTimeout - (target.signalledMsAgo ?? 0)),
    seen: new Set(),
    signalled: new Set(),
    live: [],
    forced: false,
    done: false,
  };
  p.live = target.live(table);
  for (const x of p.live) p.seen.add(x.pid);
  if (p.live.length === 0) p.done = true;
  else send(p, target.stopSignal, p.live); // a target signalled before skips what already had it
  return p;
}

function send(p: Progress, signal: NodeJS.Signals, live: ProcStat[]): void {
  if (live.length === 0) return;
  p.target.signal(signal, live);
  for (const x of live) p.signalled.add(x.pid);
}

/** One look at the table: done, or signal what is new, or escalate once the deadline has passed. */
function step(p: Progress, table: ProcStat[], now: number): void {
  p.live = p.target.live(table);
  for (const x of p.live) p.seen.add(x.pid);
  if (p.live.length === 0) {
    p.done = true;
    return;
  }
  if (!p.forced && now >= p.killAt) {
    p.forced = true;
    p.giveUpAt = now + KILL_WAIT_MS;
  }
  if (p.forced) {
    if (now >= p.giveUpAt!) p.done = true;
    else send(p, 'SIGKILL', p.live);
  } else {
    // A process that appears while stopping (nodemon's `ps`, a respawned worker) gets the signal too.
    send(p, p.target.stopSignal, p.live.filter((x) => !p.signalled.has(x.pid)));
  }
}

function result(p: Progress, now: number): StopResult {
  return {
    name: p.target.name,
    processes: p.seen.size,
    pids: [...p.seen],
    forced: p.forced,
    survivors: p.live.map((x) => x.pid),
    ms: now - p.t0,
  };
}

/** Stops every target at once (each with its own signal and timeout) and resolves when all are gone. */
export async function stopAll(targets: StopTarget[]): Promise<StopResult[]> {
  if (targets.length === 0) return [];
  const problems = await Promise.all(targets.map((t) => (t.signalledMsAgo === undefined ? t.before?.() : undefined)));
  let table = allProcesses();
  const all = targets.map((t) => begin(t, table, performance.now()));
  let signalledNow = true;
  while (all.some((p) => !p.done)) {
    // Soon after a signal, then every POLL_MS, and exactly at the next SIGKILL deadline.
    const now0 = performance.now();
    const nextKill = Math.min(...all.filter((p) => !p.done && !p.forced).map((p) => p.killAt - now0));
    await sleep(Math.max(0, Math.min(signalledNow ? AFTER_SIGNAL_MS : POLL_MS, nextKill)));
    table = allProcesses();
    const now = performance.now();
    const forcedBefore = all.filter((p) => p.forced).length;
    for (const p of all) if (!p.done) step(p, table, now);
    signalledNow = all.filter((p) => p.forced).length > forcedBefore;
  }
  const now = performance.now();
  return all.map((p, i) => ({ ...result(p, now), ...(problems[i] && { problem: problems[i] }) }));
}

export async function stopOne(target: StopTarget): Promise<StopResult> {
  return (await stopAll([target]))[0]!;
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
/** A real synchronous sleep, for the exit guard where timers never fire. */
function sleepSync(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

/**
 * The same steps, synchronously, for a runner that is exiting: it may hold the process at most
 * `waitMs`. `then` says what happens to what is left at that point: 'kill' escalates at once (no one
 * else will), 'leave' returns with the survivors listed (the watchdog finishes the escalation when
 * the runner's pipe closes, after each service's full stopTimeout).
 */
export function stopAllSync(targets: StopTarget[], opts: { waitMs: number; then: 'kill' | 'leave' }): StopResult[] {
  for (const t of targets) if (t.signalledMsAgo === undefined) t.beforeSync?.();
  let table = allProcesses();
  const t0 = performance.now();
  const all = targets.map((t) => begin(t, table, t0));
  const cap = t0 + opts.waitMs;
  let capped = false;
  while (all.some((p) => !p.done)) {
    sleepSync(POLL_MS);
    table = allProcesses();
    const now = performance.now();
    if (!capped && now >= cap) {
      capped = true;
      if (opts.then === 'leave') break;
      for (const p of all) if (!p.done && !p.forced) p.killAt = now;
    }
    for (const p of all) if (!p.done) step(p, table, now);
  }
  const now = performance.now();
  return all.map((p) => result(p, now));
}
