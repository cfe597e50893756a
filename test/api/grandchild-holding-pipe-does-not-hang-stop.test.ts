/**
 * A child that keeps the service's stdout/stderr pipe open (and one that left the group with setsid)
 * must not make stop() wait for the pipe to close: stop resolves promptly and nothing is left.
 */
import { expect, it } from 'vitest';
import { start } from '../../src/index.js';
import { silentLogger } from '../../src/run/log.js';
import { fdTarget, killProcs, statOf, stopWhenDone, tempDir, testMark } from '../helpers/api.js';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, isAlive, portIsFree, proc, processesOfRun, survivors, type Proc } from '../helpers/os.js';

const allPids = () => readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map(Number);
import { SERVICE } from '../helpers/spawn.js';

/** One service whose child keeps the leader's stdout open, plus `extra` behaviour. */
async function startPiped(extra: Record<string, string>) {
  const port = await freePort();
  const services = stopWhenDone(
    await start(
      {
        services: {
          piped: {
            command: [process.execPath, SERVICE],
            port,
            env: { PORT: String(port), HOLD_PIPE: '1', CHILDREN: '1', TEST_MARK: testMark(), ...extra },
          },
        },
      },
      { logger: silentLogger },
    ),
  );
  return { port, services };
}

it('stop() resolves in under 2 s although a child holds the output pipe', async () => {
  const { port, services } = await startPiped({ SETSID_CHILD: '1' });
  const leader = services.info.piped!.pid;
  const before = processesOfRun(services.runId);
  expect(before).toHaveLength(3); // leader, pipe-holding child, setsid child

  // Through /proc: the child's stdout is the very pipe (a socketpair, from Node) cleanroom reads the leader's output from.
  const leaderOut = fdTarget(leader, 1);
  expect(leaderOut).toMatch(/^(pipe|socket):\[\d+\]$/);
  const holders = before.filter((p) => p.pid !== leader && fdTarget(p.pid, 1) === leaderOut);
  expect(holders).toHaveLength(1);
  expect(statOf(holders[0]!.pid)?.pgid).toBe(leader);
  expect(before.some((p) => statOf(p.pid)?.pgid !== leader), 'the setsid child should have left the group').toBe(true);

  const t0 = performance.now();
  const summary = await services.stop();
  expect(performance.now() - t0).toBeLessThan(2000);

  expect(summary.processes).toBe(3);
  expect(summary.services[0]!.forced).toBe(false);
  expect(await survivors(before)).toEqual([]);
  expect(processesOfRun(services.runId)).toEqual([]);
  expect(await portIsFree(port)).toBe(true);
});

it('stop() resolves in under 2 s although an untagged process outside the group keeps the pipe open after it', async () => {
  const { port, services } = await startPiped({ PIPE_ESCAPEE: '1' });
  const leader = services.info.piped!.pid;
  const leaderOut = fdTarget(leader, 1);
  const before = processesOfRun(services.runId);
  expect(before).toHaveLength(2); // leader and the pipe-holding child; the escapee carries no tag
  // The escapee: double-forked (reparented at once), in a group of its own, holding the same pipe.
  // This test started it (through the service); it is found by the pipe it holds.
  let escapee: Proc | undefined;
  for (let i = 0; i < 200 && !escapee; i++) {
    escapee = allPids()
      .filter((pid) => pid !== leader && !before.some((b) => b.pid === pid))
      .map((pid) => proc(pid))
      .find((p) => statOf(p.pid)?.pgid === p.pid && fdTarget(p.pid, 1) === leaderOut);
    if (!escapee) await new Promise((r) => setTimeout(r, 10));
  }
  expect(escapee, 'the pipe-holding escapee should be running').toBeDefined();
  // Its middle process must have exited (so it is reparented) before the stop, as in real life.
  const descendsFromLeader = (pid: number) => {
    for (let p = statOf(pid)?.ppid, depth = 0; p && p > 1 && depth < 5; p = statOf(p)?.ppid, depth++) if (p === leader) return true;
    return false;
  };
  for (let i = 0; i < 300 && descendsFromLeader(escapee!.pid); i++) await new Promise((r) => setTimeout(r, 10));
  expect(descendsFromLeader(escapee!.pid), 'the escapee should have been reparented').toBe(false);
  try {
    const t0 = performance.now();
    await services.stop();
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(await survivors(before)).toEqual([]);
    expect(await portIsFree(port)).toBe(true);
    // The pipe really stayed open through the stop: its holder is still there.
    expect(isAlive(escapee!)).toBe(true);
  } finally {
    killProcs([escapee!]);
  }
});

it('a setsid()\'d child that cleared its environment is stopped too (found through its parent)', async () => {
  const pidFile = join(tempDir(), 'clean-env-child.pid');
  const { port, services } = await startPiped({ CLEAN_ENV_CHILD: pidFile });
  let child: Proc | undefined;
  for (let i = 0; i < 300 && !child; i++) {
    if (existsSync(pidFile) && readFileSync(pidFile, 'utf8')) child = proc(Number(readFileSync(pidFile, 'utf8')));
    else await new Promise((r) => setTimeout(r, 10));
  }
  expect(child && isAlive(child), 'the clean-env child should be running').toBe(true);
  expect(processesOfRun(services.runId).some((p) => p.pid === child!.pid), 'it carries no tag').toBe(false);
  try {
    await services.stop();
    expect(await survivors([child!])).toEqual([]);
    expect(await portIsFree(port)).toBe(true);
  } finally {
    killProcs([child!]);
  }
});

it('a child started later by an orphaned, environment-cleared process is stopped too', async () => {
  const dir = tempDir();
  const { services } = await startPiped({ ORPHAN_DIR: dir });
  const read = async (name: string): Promise<Proc> => {
    for (let i = 0; i < 300; i++) {
      const f = join(dir, name);
      if (existsSync(f) && readFileSync(f, 'utf8')) return proc(Number(readFileSync(f, 'utf8')));
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`no pid in ${name}`);
  };
  const a = await read('a');
  // start() has resolved, so cleanroom has seen A while its parent lived. Now the parent goes, and A,
  // orphaned, starts B: nothing but A leads to B.
  writeFileSync(join(dir, 'release'), '');
  const b = await read('b');
  try {
    expect(isAlive(a) && isAlive(b)).toBe(true);
    await services.stop();
    expect(await survivors([a, b])).toEqual([]);
  } finally {
    killProcs([a, b]);
  }
});
