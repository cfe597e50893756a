/**
 * The ledger: a run killed together with its watchdog (a CI job killed with its whole process tree)
 * leaves services behind; the next run reaps them. A run that is still alive is never touched.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { makeCase, writeApiScript } from '../helpers/cases.js';
import { expectNothingLeft, snapshotRun } from '../helpers/assert-clean.js';
import { isAlive, portIsFree, proc, survivors } from '../helpers/os.js';
import { spawn } from 'node:child_process';
import { shellStatus, startRunner, type Runner } from '../helpers/runner.js';

const runners: Runner[] = [];
let stateDir: string | undefined;
afterEach(() => {
  for (const r of runners.splice(0)) r.kill();
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
});

function readLedger(dir: string): Array<{ runId: string; runner: { pid: number }; watchdog?: { pid: number; startTime: number } }> {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')));
}

describe('ledger', () => {
  it('a run killed with its watchdog is reaped by the next start()', async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'cleanroom-state-'));
    const c = await makeCase(inject('consumerDir'), 'ledger-reap');
    const script = writeApiScript(c);
    const env = { MODE: 'wait', CLEANROOM_STATE_DIR: stateDir };
    const first = startRunner(process.execPath, [script], { cwd: c.dir, env });
    runners.push(first);
    await first.waitFor(/TEST RUNNING/);
    const seen = snapshotRun(first, c);
    const [rec] = readLedger(stateDir);
    expect(rec?.runner.pid).toBe(first.pid);
    expect(rec?.watchdog?.pid).toBeGreaterThan(0);
    // Both die at once, as when a CI job's whole tree is killed. (The watchdog was started by the
    // runner this test started; its pid comes from the ledger and is checked against its start time.)
    const wd = { pid: rec!.watchdog!.pid, startTime: rec!.watchdog!.startTime };
    expect(isAlive(wd)).toBe(true);
    process.kill(wd.pid, 'SIGKILL');
    first.signalGroup('SIGKILL');
    await first.exited;
    await new Promise((r) => setTimeout(r, 300));
    expect(seen.filter(isAlive).length, 'the services should be orphaned now').toBeGreaterThan(0);

    // The next run with the same ledger reaps them before starting its own services on the same ports.
    const second = startRunner(process.execPath, [script], { cwd: c.dir, env: { ...env, MODE: 'using' } });
    runners.push(second);
    expect(shellStatus(await second.exited), second.output()).toBe(0);
    expect(second.output()).toMatch(new RegExp(`reaped stale run ${rec!.runId} \\(runner pid ${first.pid}`));
    expect(await survivors(seen)).toEqual([]);
    expect(readLedger(stateDir)).toEqual([]);
    await expectNothingLeft(second, [], [c.apiPort, c.webPort]);
  });

  it('a live run is never touched: its port gets an error naming that run', async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'cleanroom-state-'));
    // No double fork here: its middle process exits by itself, which would read as "touched".
    const c = await makeCase(inject('consumerDir'), 'ledger-live', { apiEnv: { DOUBLE_FORK: '' } });
    const script = writeApiScript(c);
    const env = { CLEANROOM_STATE_DIR: stateDir };
    const first = startRunner(process.execPath, [script], { cwd: c.dir, env: { ...env, MODE: 'wait' } });
    runners.push(first);
    await first.waitFor(/TEST RUNNING/);
    const seen = snapshotRun(first, c);
    const [rec] = readLedger(stateDir);
    const running = seen.filter(isAlive);
    const cmdlines = new Map(running.map((p) => [p.pid, readFileSync(`/proc/${p.pid}/cmdline`, 'utf8').replace(/\0/g, ' ')]));
    const second = startRunner(process.execPath, [script], { cwd: c.dir, env: { ...env, MODE: 'using' } });
    runners.push(second);
    expect(shellStatus(await second.exited)).toBe(1);
    expect(second.output()).toMatch(new RegExp(`belongs to another cleanroom run that is still running \\(run ${rec!.runId}, runner pid ${first.pid}`));
    expect(running.length).toBeGreaterThan(0);
    const died = running.filter((p) => !isAlive(p)).map((p) => p.pid + ' ' + (cmdlines.get(p.pid) ?? '?'));
    expect(died, 'a live run\'s services were touched').toEqual([]);
    expect(await portIsFree(c.apiPort)).toBe(false);

    first.signal('SIGTERM');
    await first.exited;
    await expectNothingLeft(first, seen, [c.apiPort, c.webPort]);
  });
});

describe('ledger records from another boot', () => {
  it('are dropped without signalling anything (start times count from boot)', async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'cleanroom-state-'));
    const c = await makeCase(inject('consumerDir'), 'ledger-boot');
    // A record naming a live process this test started (same pid and start time), but from another
    // boot: it must be dropped, and that process left alone.
    const idle = spawn(process.execPath, ['-e', 'setInterval(()=>{},1000)'], { detached: true, stdio: 'ignore' });
    const victim = proc(idle.pid!);
    const record = {
      runId: 'old-boot-run',
      host: hostname(),
      bootId: '00000000-0000-0000-0000-000000000000',
      runner: { pid: victim.pid, startTime: victim.startTime, command: 'old' },
      cwd: c.dir,
      startedAt: new Date(0).toISOString(),
      services: [{ name: 'api', pgid: victim.pid, leaderStartTime: victim.startTime, stopSignal: 'SIGTERM', stopTimeout: 100, port: c.apiPort, pids: [victim] }],
    };
    writeFileSync(join(stateDir, 'old-boot-run.json'), JSON.stringify(record));
    const r = startRunner(process.execPath, [writeApiScript(c)], { cwd: c.dir, env: { MODE: 'using', CLEANROOM_STATE_DIR: stateDir } });
    runners.push(r);
    expect(shellStatus(await r.exited), r.output()).toBe(0);
    try {
      expect(r.output()).not.toMatch(/reaped/);
      expect(readLedger(stateDir)).toEqual([]);
      expect(isAlive(victim), 'a process named by an old boot\'s record was signalled').toBe(true);
    } finally {
      process.kill(-idle.pid!, 'SIGKILL'); // the group this test created
    }
  });
});
