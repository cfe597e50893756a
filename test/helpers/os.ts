/**
 * Test helpers that ask the OS, never cleanroom, whether processes and ports are gone.
 * Tests only ever signal what they started themselves (by pid or process group they created).
 */
import { mkdirSync, readFileSync, readdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface Proc {
  pid: number;
  startTime: number;
}

function stat(pid: number): { state: string; pgid: number; ppid: number; startTime: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: f[0]!, ppid: Number(f[1]), pgid: Number(f[2]), startTime: Number(f[19]) };
  } catch {
    return undefined;
  }
}

/** Alive = exists, is the same process (start time), and is not a zombie. */
export function isAlive(p: Proc): boolean {
  const s = stat(p.pid);
  return !!s && s.startTime === p.startTime && s.state !== 'Z' && s.state !== 'X';
}

function environ(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'latin1');
  } catch {
    return '';
  }
}

/** Every live (non-zombie) process with an environment entry that `match` accepts. */
function liveProcessesWithEnv(match: (entry: string) => boolean): Proc[] {
  const out: Proc[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (!environ(pid).split('\0').some(match)) continue;
    const s = stat(pid);
    if (s && s.state !== 'Z') out.push({ pid, startTime: s.startTime });
  }
  return out;
}

/** Every live process started (directly or not) by the cleanroom runner with this pid: they carry CLEANROOM_RUNNER=pid:... */
export function processesOfRunner(runnerPid: number): Proc[] {
  return liveProcessesWithEnv((kv) => kv.startsWith(`CLEANROOM_RUNNER=${runnerPid}:`));
}

/** Every live process carrying this run id. */
export function processesOfRun(runId: string): Proc[] {
  return liveProcessesWithEnv((kv) => kv === `CLEANROOM_RUN_ID=${runId}`);
}

export function proc(pid: number): Proc {
  return { pid, startTime: stat(pid)?.startTime ?? -1 };
}

/** Waits (briefly) for processes to be gone; returns the ones still alive. */
export async function survivors(procs: Proc[], waitMs = 2000): Promise<Proc[]> {
  const deadline = Date.now() + waitMs;
  let alive = procs.filter(isAlive);
  while (alive.length && Date.now() < deadline) {
    await sleep(20);
    alive = alive.filter(isAlive);
  }
  return alive;
}

export function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

/** Nothing answers on 127.0.0.1 or ::1. */
export async function portIsFree(port: number): Promise<boolean> {
  return !(await canConnect('127.0.0.1', port)) && !(await canConnect('::1', port));
}

/**
 * The port frees within `ms`. A process that is exiting has already lost its environment (so a tag
 * scan no longer sees it) but may hold its sockets for a few more milliseconds.
 */
export async function portFreesWithin(port: number, ms = 1000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!(await portIsFree(port))) {
    if (Date.now() > deadline) return false;
    await sleep(10);
  }
  return true;
}

function bindable(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

const handedOut = new Set<number>();
/** Ports handed out to a test, machine-wide: one file per port, naming the test process that has it. */
const RESERVED = join(tmpdir(), 'cleanroom-test-ports');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Reserves `port` for this process: a file created with O_EXCL, so that of two test processes (parallel
 * test files, or two clones' suites) probing the same free port only one gets it. A reservation of a
 * process that is gone is taken over.
 */
function reserve(port: number): boolean {
  mkdirSync(RESERVED, { recursive: true });
  const file = join(RESERVED, String(port));
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      return true;
    } catch {
      const owner = Number(readFileSync(file, 'utf8') || 'NaN');
      if (owner === process.pid) return false; // handed out before, in this process
      if (Number.isNaN(owner) || alive(owner)) return false; // being written, or another live test's
      try {
        unlinkSync(file);
      } catch {
        /* another process took it over first */
      }
    }
  }
  return false;
}

/**
 * A free port below the ephemeral range (32768+ here, where an outgoing connection may take a port
 * at any moment), random, and reserved machine-wide (reserve()): probing alone is not enough, as a
 * parallel test file may have been handed the same free port and not be listening on it yet.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    if (handedOut.has(port)) continue;
    if ((await bindable(port, '127.0.0.1')) && (await bindable(port, '::1')) && (await portIsFree(port)) && reserve(port)) {
      handedOut.add(port);
      return port;
    }
  }
}
