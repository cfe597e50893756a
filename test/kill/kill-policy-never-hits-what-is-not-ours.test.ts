/**
 * The one place that decides whether a process may be signalled: never PID 1, the runner, its
 * ancestors or its group, another user's process, a live foreign cleanroom run; and never a pid that
 * now names a different process (pid reuse). Checked against real processes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { groupBelongsToRun, mayKillProcess, portHolderTree, RUNNER_VAR, runnerTag } from '../../src/kill/policy.js';
import { signalProcess } from '../../src/kill/signal.js';
import { clearPort } from '../../src/ports/clear-port.js';
import { RUN_ID_VAR, processInfo } from '../../src/os/process-table.js';
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

function readFileOr(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

describe('kill policy', () => {
  it('refuses PID 1, the runner itself, its parent and its own process group', () => {
    expect(mayKillProcess(1).allowed).toBe(false);
    expect(mayKillProcess(process.pid).allowed).toBe(false);
    expect(mayKillProcess(process.ppid)).toMatchObject({ allowed: false, reason: expect.stringMatching(/ancestor/) });
  });

  it('refuses a process in the runner\'s own process group, and a port holder there', async () => {
    // A child that stays in this (runner) process's group, as a server started without detached would.
    const c = spawn(process.execPath, ['-e', 'setInterval(()=>{},1000)'], { stdio: 'ignore' });
    try {
      await waitAlive(c.pid!);
      expect(mayKillProcess(c.pid!)).toMatchObject({ allowed: false, reason: expect.stringMatching(/runner's own process group/) });
      expect(portHolderTree(c.pid!, undefined)).toMatchObject({ refused: expect.stringMatching(/runner/) });
    } finally {
      c.kill('SIGKILL'); // our own child, by pid
    }
  });

  it('allows a plain process of our own user', async () => {
    const c = idle();
    await waitAlive(c.pid!);
    expect(mayKillProcess(c.pid!).allowed).toBe(true);
    expect(portHolderTree(c.pid!, undefined)).toMatchObject({ top: { pid: c.pid } });
  });

  it("refuses another user's process (as root: one started as nobody; otherwise: one found running)", async () => {
    let victim: number;
    if (isRoot) {
      const c = idle({}, { uid: 65534, gid: 65534 });
      await waitAlive(c.pid!);
      victim = c.pid!;
    } else {
      // Not root: some process of another user is always running (PID 2, kthreadd, is root's). Only asked
      // about, never signalled.
      const found = readdirSync('/proc')
        .filter((n) => /^\d+$/.test(n) && Number(n) > 1)
        .map(Number)
        .find((pid) => {
          const uid = /^Uid:\s+(\d+)/m.exec(readFileOr(`/proc/${pid}/status`))?.[1];
          return uid !== undefined && Number(uid) !== process.getuid!();
        });
      expect(found, 'no process of another user found to ask about').toBeDefined();
      victim = found!;
    }
    const before = proc(victim);
    expect(mayKillProcess(victim)).toMatchObject({ allowed: false, reason: expect.stringMatching(/another user/) });
    expect(portHolderTree(victim, undefined)).toMatchObject({ refused: expect.stringMatching(/another user/) });
    expect(isAlive(before)).toBe(true);
  });

  it.skipIf(!isRoot)("clearPort leaves another user's listener alone (root only: it needs a listener of another user)", async () => {
    const port = await freePort();
    const c = spawn(process.execPath, [SERVICE], { detached: true, stdio: 'ignore', env: { PORT: String(port) }, uid: 65534, gid: 65534 });
    started.push(c);
    while (!(await canConnect('127.0.0.1', port))) await new Promise((r) => setTimeout(r, 10));
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
    // A run whose runner is gone: this pid with another start time (in cleanroom's clock: /proc ticks, or ps's seconds).
    const stale = idle({ [RUN_ID_VAR]: 'stale-run', [RUNNER_VAR]: `${process.pid}:${processInfo(process.pid)!.startTime - 1}` });
    await waitAlive(live.pid!);
    await waitAlive(stale.pid!);
    expect(mayKillProcess(live.pid!, 'my-run')).toMatchObject({ allowed: false, reason: expect.stringMatching(/another cleanroom run \(other-run\)/) });
    expect(mayKillProcess(live.pid!, 'other-run').allowed).toBe(true); // its own run may
    expect(mayKillProcess(stale.pid!, 'my-run').allowed).toBe(true);
  });

  it('a holder under a daemon-like session leader: the holder\'s tree is stopped, the daemon is not', async () => {
    // daemon (session leader, holds no port) → server (holds the port) → worker. Like dockerd → docker-proxy.
    const port = await freePort();
    const daemon = spawn(
      process.execPath,
      ['-e', `const c = require('child_process').spawn(process.execPath, [${JSON.stringify(SERVICE)}], { stdio: 'ignore', env: { ...process.env, PORT: '${port}', CHILDREN: '1' } }); console.log(c.pid); setInterval(()=>{},1000)`],
      { detached: true, stdio: ['ignore', 'pipe', 'ignore'], env: { PATH: process.env.PATH } },
    );
    started.push(daemon);
    const serverPid = Number(await new Promise<string>((res) => daemon.stdout!.once('data', (d) => res(String(d).trim()))));
    while (!(await canConnect('127.0.0.1', port))) await new Promise((r) => setTimeout(r, 10));
    const server = proc(serverPid);
    const lines: string[] = [];
    const r = await clearPort(port, { graceMs: 1000, log: (m) => lines.push(m), why: 'is needed' });
    expect(r.free).toBe(true);
    expect(lines.join('\n')).toMatch(new RegExp(`held by pid ${serverPid} .*stopping it and 1 more process`));
    expect(await survivors([server])).toEqual([]);
    expect(isAlive(proc(daemon.pid!)), 'the daemon above the holder was stopped').toBe(true);
  });

  it('pid reuse guard: a recorded pid whose start time differs is never signalled', async () => {
    const c = idle();
    await waitAlive(c.pid!);
    const p = proc(c.pid!);
    // The start time as cleanroom reads it (/proc ticks, or ps's seconds with CLEANROOM_PROCFS=0).
    const seen = processInfo(c.pid!)!.startTime;
    expect(signalProcess(p.pid, seen + 1, 'SIGKILL')).toBe(false);
    await new Promise((r) => setTimeout(r, 100));
    expect(isAlive(p)).toBe(true);
    expect(signalProcess(p.pid, seen, 'SIGKILL')).toBe(true);
    expect(await survivors([p])).toEqual([]);
  });
  it('a group whose leader has no known start time is not proved ours by its pid alone (only by the run tag)', async () => {
    // A real, untagged group leader; its start time as a table that could not read it would give it.
    const c = idle();
    await waitAlive(c.pid!);
    const info = processInfo(c.pid!)!;
    const unknown = { ...info, startTime: Number.NaN };
    expect(groupBelongsToRun({ pgid: c.pid!, leaderStartTime: info.startTime, runId: 'run-x' }, [unknown])).toBe(false);
    // Controls: a known, matching start time proves it; so does the run tag with no start time.
    expect(groupBelongsToRun({ pgid: c.pid!, leaderStartTime: info.startTime, runId: 'run-x' }, [info])).toBe(true);
    const tagged = idle({ [RUN_ID_VAR]: 'run-y' });
    await waitAlive(tagged.pid!);
    const taggedInfo = { ...processInfo(tagged.pid!)!, startTime: Number.NaN };
    expect(groupBelongsToRun({ pgid: tagged.pid!, leaderStartTime: 1, runId: 'run-y' }, [taggedInfo])).toBe(true);
  });
});
