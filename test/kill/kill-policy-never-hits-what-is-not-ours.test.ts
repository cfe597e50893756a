/**
 * The one place that decides whether a process may be signalled: never PID 1, the runner, its
 * ancestors or its group, another user's process, a live foreign cleanroom run; and never a pid that
 * now names a different process (pid reuse). Checked against real processes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { mayKillGroup, mayKillProcess, RUNNER_VAR, runnerTag } from '../../src/kill/policy.js';
import { signalProcess } from '../../src/kill/signal.js';
import { clearPort } from '../../src/ports/clear-port.js';
import { RUN_ID_VAR } from '../../src/os/process-table.js';
import { freePort, isAlive, proc, survivors } from '../helpers/os.js';
import { SERVICE } from '../helpers/spawn.js';
import { canConnect } from '../helpers/os.js';

const started: ChildProcess[] = [];
afterEach(() => {
  for (const c of started.splice(0)) {
    try {
      process.kill(-c.pid!, 'SIGKILL'); // groups these tests created
    } catch {
      /* gone */
    }
  }
});

function idle(env: NodeJS.ProcessEnv = {}, extra: { uid?: number; gid?: number } = {}): ChildProcess {
  const c = spawn(process.execPath, ['-e', 'setInterval(()=>{},1000)'], { detached: true, stdio: 'ignore', env: { PATH: process.env.PATH, ...env }, ...extra });
  started.push(c);
  return c;
}

async function waitAlive(pid: number) {
  for (let i = 0; i < 100 && proc(pid).startTime < 0; i++) await new Promise((r) => setTimeout(r, 10));
}

const isRoot = process.getuid?.() === 0;

describe('kill policy', () => {
  it('refuses PID 1, the runner itself, its parent and its own process group', () => {
    expect(mayKillProcess(1).allowed).toBe(false);
    expect(mayKillProcess(process.pid).allowed).toBe(false);
    expect(mayKillProcess(process.ppid)).toMatchObject({ allowed: false, reason: expect.stringMatching(/ancestor/) });
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const ownGroup = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
    expect(mayKillGroup(ownGroup)).toMatchObject({ allowed: false, reason: expect.stringMatching(/runner's own group/) });
  });

  it('allows a plain process of our own user', async () => {
    const c = idle();
    await waitAlive(c.pid!);
    expect(mayKillProcess(c.pid!).allowed).toBe(true);
    expect(mayKillGroup(c.pid!).allowed).toBe(true);
  });

  it.skipIf(!isRoot)('refuses another user\'s process, and clearPort leaves its port alone', async () => {
    const port = await freePort();
    const c = spawn(process.execPath, [SERVICE], { detached: true, stdio: 'ignore', env: { PORT: String(port) }, uid: 65534, gid: 65534 });
    started.push(c);
    while (!(await canConnect('127.0.0.1', port))) await new Promise((r) => setTimeout(r, 10));
    expect(mayKillProcess(c.pid!)).toMatchObject({ allowed: false, reason: expect.stringMatching(/another user/) });
    const lines: string[] = [];
    const r = await clearPort(port, { graceMs: 200, log: (m) => lines.push(m), why: 'is needed' });
    expect(r.free).toBe(false);
    expect(r.refused).toMatch(/another user/);
    expect(lines).toEqual([]);
    expect(isAlive(proc(c.pid!))).toBe(true);
  });

  it('refuses a process of another cleanroom run whose runner is alive, allows one whose runner is dead', async () => {
    // "Another run" whose runner is this very process: alive.
    const live = idle({ [RUN_ID_VAR]: 'other-run', [RUNNER_VAR]: runnerTag() });
    // A run whose runner is gone: a pid that existed with another start time.
    const stale = idle({ [RUN_ID_VAR]: 'stale-run', [RUNNER_VAR]: `${process.pid}:1` });
    await waitAlive(live.pid!);
    await waitAlive(stale.pid!);
    expect(mayKillProcess(live.pid!, 'my-run')).toMatchObject({ allowed: false, reason: expect.stringMatching(/another cleanroom run \(other-run\)/) });
    expect(mayKillProcess(live.pid!, 'other-run').allowed).toBe(true); // its own run may
    expect(mayKillProcess(stale.pid!, 'my-run').allowed).toBe(true);
  });

  it('pid reuse guard: a recorded pid whose start time differs is never signalled', async () => {
    const c = idle();
    await waitAlive(c.pid!);
    const p = proc(c.pid!);
    expect(signalProcess(p.pid, p.startTime + 1, 'SIGKILL')).toBe(false);
    await new Promise((r) => setTimeout(r, 100));
    expect(isAlive(p)).toBe(true);
    expect(signalProcess(p.pid, p.startTime, 'SIGKILL')).toBe(true);
    expect(await survivors([p])).toEqual([]);
  });
});
