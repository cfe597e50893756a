/**
 * Test helpers that ask the OS, never cleanroom, whether processes and ports are gone.
 * Tests only ever signal what they started themselves (by pid or process group they created).
 */
import { readFileSync, readdirSync } from 'node:fs';
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
/**
 * A free port below the ephemeral range (32768+ here, where an outgoing connection may take a port
 * at any moment), random so that parallel test files do not collide.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    if (handedOut.has(port)) continue;
    if ((await bindable(port, '127.0.0.1')) && (await bindable(port, '::1')) && (await portIsFree(port))) {
      handedOut.add(port);
      return port;
    }
  }
}
