/**
 * A child that keeps the service's stdout/stderr pipe open (and one that left the group with setsid)
 * must not make stop() wait for the pipe to close: stop resolves promptly and nothing is left.
 */
import { expect, it } from 'vitest';
import { start } from '../../src/index.js';
import { silentLogger } from '../../src/run/log.js';
import { childrenOf, fdTarget, killProcs, statOf, stopWhenDone, testMark } from '../helpers/api.js';
import { freePort, isAlive, portIsFree, processesOfRun, survivors } from '../helpers/os.js';
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
  // The escapee: a child of the leader, in a group of its own, holding the same pipe. This test started it.
  const escapee = childrenOf(leader).find((p) => statOf(p.pid)?.pgid === p.pid && fdTarget(p.pid, 1) === leaderOut);
  expect(escapee, 'the pipe-holding escapee should be running').toBeDefined();
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
