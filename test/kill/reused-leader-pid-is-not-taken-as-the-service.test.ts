/**
 * A service's leader pid is also its group id, and once every process of the group is gone the number
 * can be handed to an unrelated process (pid_max is 32768 here). What the tracker remembers of a
 * service (tree.known: killed by pid + start time at stop) must then not take in the new owner of the
 * number or its children: the kill policy (groupBelongsToRun) checks the leader's start time, and the
 * leader's-tree walk of refreshSoon() (treePids from /proc/PID/task/TID/children) must too.
 * Simulated reuse: the tree names a live process of this test with another start time than its own.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, expect, it } from 'vitest';
import { Tracker } from '../../src/run/tracker.js';
import { liveProcesses, type ServiceTree } from '../../src/stop/service-tree.js';
import { statOf } from '../helpers/api.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

it.runIf(process.platform === 'linux')('refreshSoon() of a tree whose leader pid now belongs to another process takes none of that process tree', async () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'cleanroom-state-'));
  process.env.CLEANROOM_STATE_DIR = stateDir;
  cleanups.push(() => {
    delete process.env.CLEANROOM_STATE_DIR;
    rmSync(stateDir, { recursive: true, force: true });
  });
  // The "unrelated" process (this test's own, in a group it created) with a child.
  const other = spawn(process.execPath, ['-e', "require('child_process').spawn(process.execPath, ['-e', 'setInterval(()=>{},1000)'], { stdio: 'ignore' }); setInterval(()=>{},1000)"], { detached: true, stdio: 'ignore' });
  cleanups.push(() => {
    try {
      process.kill(-other.pid!, 'SIGKILL');
    } catch {
      /* gone */
    }
  });
  const st = statOf(other.pid!)!;
  for (let i = 0; i < 200 && !readChildren(other.pid!).length; i++) await sleep(10);
  const child = readChildren(other.pid!)[0];
  expect(child, 'the unrelated process has a child').toBeDefined();

  const tracker = new Tracker({ runId: 'reuse-test', kind: 'test', root: process.cwd(), signals: 'caller', warn: () => {}, interrupted: () => {}, stoppedSync: () => {} });
  // Our service's leader had this number, but another start time: it is gone, the number was reused.
  const tree: ServiceTree = { name: 'svc', runId: 'reuse-test', pgid: other.pid!, leaderStartTime: st.startTime - 1, stopSignal: 'SIGTERM', stopTimeout: 1000, known: [] };
  tracker.track(tree, {}, { scan: false });
  try {
    expect(liveProcesses(tree).map((p) => p.pid), 'the kill policy does not take the reused group').toEqual([]);
    tracker.refreshSoon('svc');
    const known = (tree.known ?? []).map((k) => k.pid);
    expect(known, 'refreshSoon() took the new owner of the pid').not.toContain(other.pid);
    expect(known, "refreshSoon() took the new owner's child").not.toContain(child);
    expect(liveProcesses(tree).map((p) => p.pid), 'what a stop would signal').toEqual([]);
  } finally {
    tracker.untrack('svc');
    tracker.close();
  }
});

function readChildren(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}
