/** The one check every runner scenario ends with: nothing of the run is alive and every port is free. */
import { expect } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { portFreesWithin, proc, processesOfRunner, survivors, type Proc } from './os.js';
import type { Case } from './cases.js';
import type { Runner } from './runner.js';

/**
 * Snapshot of the run's processes while it is up (must not be empty, or the test proves nothing):
 * the tagged ones, plus the case's environment-cleared setsid() child, which no tag can find. With a
 * case, that child must be there: a check that silently skipped it would prove nothing about it.
 */
export function snapshotRun(runner: Runner, c?: Case): Proc[] {
  const procs = processesOfRunner(runner.pid);
  expect(procs.length, `no tagged processes found for runner ${runner.pid}; output:\n${runner.output()}`).toBeGreaterThan(0);
  if (c) {
    // It is started with the api, but its node may boot after the run says TEST RUNNING: wait (bounded)
    // until the file holds a pid (it is created before it is written: an empty file is "not yet").
    const pidIn = () => (existsSync(c.cleanEnvChildPidFile) ? /^\d+/.exec(readFileSync(c.cleanEnvChildPidFile, 'utf8'))?.[0] : undefined);
    const deadline = Date.now() + 5000;
    while (!pidIn() && Date.now() < deadline) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    const written = pidIn();
    expect(written, `the api's environment-cleared child wrote no pid to ${c.cleanEnvChildPidFile}`).toBeDefined();
    const child = proc(Number(written));
    expect(child.startTime, `the api's environment-cleared child (pid ${child.pid}) was not running while the run was up`).toBeGreaterThanOrEqual(0);
    procs.push(child);
  }
  return procs;
}

/** `waitMs`: how long processes may take to go (a service with a long stopTimeout, left to the watchdog). */
export async function expectNothingLeft(runner: Runner, seen: Proc[], ports: number[], waitMs = 1500): Promise<void> {
  const left = await survivors([...seen, ...processesOfRunner(runner.pid)], waitMs);
  expect(left, `processes left behind; runner output:\n${runner.output()}`).toEqual([]);
  for (const port of ports) expect(await portFreesWithin(port), `port ${port} still answers`).toBe(true);
}
