/** The one check every runner scenario ends with: nothing of the run is alive and every port is free. */
import { expect } from 'vitest';
import { portFreesWithin, processesOfRunner, survivors, type Proc } from './os.js';
import type { Runner } from './runner.js';

/** Snapshot of the run's processes while it is up (must not be empty, or the test proves nothing). */
export function snapshotRun(runner: Runner): Proc[] {
  const procs = processesOfRunner(runner.pid);
  expect(procs.length, `no tagged processes found for runner ${runner.pid}; output:\n${runner.output()}`).toBeGreaterThan(0);
  return procs;
}

export async function expectNothingLeft(runner: Runner, seen: Proc[], ports: number[]): Promise<void> {
  const left = await survivors([...seen, ...processesOfRunner(runner.pid)], 1500);
  expect(left, `processes left behind; runner output:\n${runner.output()}`).toEqual([]);
  for (const port of ports) expect(await portFreesWithin(port), `port ${port} still answers`).toBe(true);
}
