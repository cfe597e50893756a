/**
 * `cleanroom status` and `cleanroom sweep` against a real stale run (an `up` whose supervisor and
 * watchdog were both SIGKILLed, so its services are orphaned) and a real foreign port holder (a
 * process this test started, proven to be the one status names before anything is swept).
 * --dry-run changes nothing; sweep stops exactly what it printed and checks each port is free.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it, onTestFinished } from 'vitest';
import { processesWithEnv } from '../helpers/api.js';
import { freePort, isAlive, portIsFree, proc, survivors, type Proc } from '../helpers/os.js';
import { startForeignHolder } from '../helpers/spawn.js';
import { cli, project, status, svc, type Project } from './cli-helpers.js';

function upRecords(p: Project): Array<{ runId: string; kind?: string; runner: Proc; watchdog?: Proc }> {
  return readdirSync(p.stateDir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(p.stateDir, f), 'utf8')));
}

/** `up`, then SIGKILL its supervisor and watchdog together (a CI job's tree killed): the services stay, orphaned. */
async function staleUp(p: Project): Promise<Proc[]> {
  const up = await cli(['up'], { cwd: p.dir, env: p.env });
  expect(up.code, up.stderr).toBe(0);
  const [rec] = upRecords(p);
  expect(rec?.kind).toBe('up');
  const supervisor = { pid: rec!.runner.pid, startTime: rec!.runner.startTime };
  const watchdog = { pid: rec!.watchdog!.pid, startTime: rec!.watchdog!.startTime };
  expect(isAlive(supervisor) && isAlive(watchdog)).toBe(true);
  // Both were started by this test's `up` (pids from its ledger, checked alive with their start times).
  process.kill(watchdog.pid, 'SIGKILL');
  process.kill(supervisor.pid, 'SIGKILL');
  expect(await survivors([supervisor, watchdog])).toEqual([]);
  await sleep(200);
  const left = processesWithEnv('TEST_MARK', p.mark);
  expect(left.length, 'the services should be orphaned now').toBeGreaterThan(0);
  return left;
}

describe('status and sweep', () => {
  it('a stale run: status exits 1 and lists it, --dry-run changes nothing, sweep stops exactly what it printed', async () => {
    const p = project();
    const port = await freePort();
    p.writeConfig(`{ api: ${svc(p.mark, { port, env: { PORT: String(port), CHILDREN: '2' } })} }`);
    const orphans = await staleUp(p);

    const s = await status(p);
    expect(s.code).toBe(1);
    expect(s.json.runs).toHaveLength(1);
    expect(s.json.runs[0]).toMatchObject({ kind: 'up', live: false });
    expect(s.json.runs[0]!.services[0]!.pids.sort()).toEqual(orphans.map((o) => o.pid).sort());
    const text = await cli(['status'], { cwd: p.dir, env: p.env });
    expect(text.stdout).toMatch(/STALE/);

    const dry = await cli(['sweep', '--dry-run'], { cwd: p.dir, env: p.env });
    expect(dry.code).toBe(1); // there is something to sweep
    for (const o of orphans) expect(dry.stdout).toMatch(new RegExp(`would send SIGTERM to pid ${o.pid} `));
    expect(orphans.every(isAlive), 'dry run signalled something').toBe(true);
    expect(upRecords(p)).toHaveLength(1);

    const dryJson = JSON.parse((await cli(['sweep', '--dry-run', '--json'], { cwd: p.dir, env: p.env })).stdout);
    expect(dryJson.stale[0].targets.map((t: { pid: number }) => t.pid).sort()).toEqual(orphans.map((o) => o.pid).sort());

    const sweep = await cli(['sweep'], { cwd: p.dir, env: p.env });
    expect(sweep.code, sweep.stdout + sweep.stderr).toBe(0);
    for (const o of orphans) expect(sweep.stdout).toMatch(new RegExp(`signalled pid ${o.pid} .*: SIGTERM`));
    expect(sweep.stdout).toMatch(new RegExp(`port ${port}: (free|free now)`));
    expect(await survivors(orphans)).toEqual([]);
    expect(await portIsFree(port)).toBe(true);
    expect(upRecords(p)).toEqual([]);
    expect((await status(p)).code).toBe(0);
  });

  it('a foreign holder of a configured port: status names it, --dry-run leaves it, sweep --force frees the port', async () => {
    const p = project();
    const port = await freePort();
    p.writeConfig(`{ api: ${svc(p.mark, { port, env: { PORT: String(port) } })} }`);
    const holder = await startForeignHolder(port, 1);
    onTestFinished(() => holder.kill());

    const s = await status(p);
    expect(s.code).toBe(1);
    // Proven to be ours before anything is swept: the pid status names is the one this test spawned.
    expect(s.json.foreign).toEqual([{ port, pid: holder.pid, user: expect.any(String), command: expect.stringContaining('service.mjs'), service: 'api' }]);
    expect(isAlive(holder)).toBe(true);

    const dry = await cli(['sweep', '--dry-run'], { cwd: p.dir, env: p.env });
    expect(dry.stdout).toMatch(new RegExp(`port ${port}: held by pid ${holder.pid} `));
    expect(dry.stdout).toMatch(new RegExp(`would send SIGTERM to pid ${holder.pid} .*then SIGKILL after 5000 ms`));
    expect(isAlive(holder)).toBe(true);
    expect(await portIsFree(port)).toBe(false);

    // Its idle child, in the group this test created (field 5 of /proc/PID/stat is the group).
    const children = processesWithEnv('CHILDREN', '').filter((c) => readFileSync(`/proc/${c.pid}/stat`, 'utf8').split(' ')[4] === String(holder.pid));
    expect(children).toHaveLength(1);
    const sweep = await cli(['sweep', '--force', '--json'], { cwd: p.dir, env: p.env });
    expect(sweep.code, sweep.stdout).toBe(0);
    const result = JSON.parse(sweep.stdout);
    expect(result.ports[0]).toMatchObject({ port, freeAfter: true });
    expect(result.ports[0].signalled).toEqual(expect.arrayContaining([{ pid: holder.pid, command: expect.any(String), signals: ['SIGKILL'] }]));
    expect(await survivors([proc(holder.pid), ...children])).toEqual([]);
    expect(await portIsFree(port)).toBe(true);
  });

  it('never sweeps a live run\'s service: the port of a live `up` is left alone', async () => {
    const p = project();
    const port = await freePort();
    p.writeConfig(`{ api: ${svc(p.mark, { port, env: { PORT: String(port) } })} }`);
    const up = await cli(['up'], { cwd: p.dir, env: p.env });
    expect(up.code, up.stderr).toBe(0);
    const running = processesWithEnv('TEST_MARK', p.mark);
    const sweep = await cli(['sweep', String(port), '--force'], { cwd: p.dir, env: p.env });
    expect(sweep.code).toBe(1);
    expect(sweep.stdout).toMatch(new RegExp(`port ${port}: left alone: pid \\d+ belongs to another cleanroom run .* that is still running`));
    expect(running.every(isAlive)).toBe(true);
    expect((await status(p)).code).toBe(0); // its own service on its port is not "foreign"
  });
});
