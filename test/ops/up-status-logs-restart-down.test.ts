/**
 * `cleanroom up` starts the services under a detached supervisor and returns once they are ready;
 * `status` shows them (processes, port, URL, CPU, RSS); `logs` prints their output; `restart` starts
 * one again; `down` leaves nothing running and the ports free. A `kill -9` of the supervisor orphans
 * nothing (its watchdog stops the services). Checked with the OS, not with cleanroom.
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it, onTestFinished } from 'vitest';
import { answeringPid, processesWithEnv, statOf, waitFor } from '../helpers/api.js';
import { freePort, isAlive, portIsFree, proc, survivors } from '../helpers/os.js';
import { cli, project, status, svc } from './cli-helpers.js';

function envOf(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0');
  } catch {
    return [];
  }
}

describe('cleanroom up / status / logs / restart / down', () => {
  it('starts in the background, reports, restarts one service, and stops everything', async () => {
    const p = project();
    const apiPort = await freePort();
    const base = await freePort();
    p.writeConfig(`{ api: ${svc(p.mark, { port: apiPort, env: { PORT: String(apiPort), CHILDREN: '2' } })}, web: ${svc(p.mark, { port: 'auto', more: "ready: '/', dependsOn: ['api']" })} }`, `portBase: ${base},`);

    const up = await cli(['up'], { cwd: p.dir, env: p.env });
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toMatch(new RegExp(`api\\s+http://localhost:${apiPort}`));
    const webUrl = /web\s+(http:\/\/localhost:(\d+))/.exec(up.stdout);
    expect(webUrl, up.stdout).not.toBeNull();
    const webPort = Number(webUrl![2]);
    expect(webPort).toBeGreaterThanOrEqual(base);

    // `up` has returned; the services are up and answer from their own trees.
    const apiPid = await answeringPid(apiPort);
    const webPid = await answeringPid(webPort);
    expect(apiPid && webPid).toBeTruthy();

    const s = await status(p);
    expect(s.code).toBe(0);
    expect(s.json.runs).toHaveLength(1);
    const run = s.json.runs[0]!;
    expect(run).toMatchObject({ kind: 'up', live: true, cwd: p.dir });
    expect(run.runner.command).toMatch(/__supervise/);
    const supervisor = proc(run.runner.pid);
    expect(isAlive(supervisor)).toBe(true);
    const api = run.services.find((x) => x.name === 'api')!;
    const web = run.services.find((x) => x.name === 'web')!;
    expect(api).toMatchObject({ port: apiPort, url: `http://localhost:${apiPort}` });
    expect(web).toMatchObject({ port: webPort, url: `http://localhost:${webPort}` });
    expect(api.pids).toContain(apiPid);
    expect(api.pids).toHaveLength(3); // the server and its 2 children
    expect(web.pids).toContain(webPid);
    for (const x of [api, web]) {
      expect(x.rssBytes).toBeGreaterThan(1024 * 1024);
      expect(x.cpuPercent).toBeGreaterThanOrEqual(0);
      expect(x.uptimeMs).toBeGreaterThan(0);
    }
    // Every process status names is one the OS says carries this test's mark.
    const marked = new Set(processesWithEnv('TEST_MARK', p.mark).map((x) => x.pid));
    expect([...api.pids, ...web.pids].every((pid) => marked.has(pid))).toBe(true);
    // The web service got its picked port as PORT.
    expect(envOf(webPid!)).toContain(`PORT=${webPort}`);

    const table = await cli(['status'], { cwd: p.dir, env: p.env });
    expect(table.stdout).toMatch(/SERVICE\s+PORT\s+URL\s+PIDS\s+UP\s+CPU\s+RSS/);
    expect(table.stdout).not.toContain('\u001b['); // NO_COLOR and a pipe: no colour codes

    const logs = await cli(['logs', 'api'], { cwd: p.dir, env: p.env });
    expect(logs.code).toBe(0);
    expect(logs.stdout).toContain(`[service ${apiPid}] listening on ${apiPort}`);

    const oldApi = api.pids.map(proc);
    const restart = await cli(['restart', 'api'], { cwd: p.dir, env: p.env });
    expect(restart.code, restart.stderr).toBe(0);
    expect(await survivors(oldApi)).toEqual([]);
    const newApiPid = await answeringPid(apiPort);
    expect(newApiPid).toBeTruthy();
    expect(newApiPid).not.toBe(apiPid);
    expect(await answeringPid(webPort)).toBe(webPid); // the other service was not touched
    const logs2 = await cli(['logs', 'api'], { cwd: p.dir, env: p.env });
    expect(logs2.stdout).toContain(`[service ${newApiPid}] listening on ${apiPort}`);

    const all = processesWithEnv('TEST_MARK', p.mark);
    expect(all.length).toBe(3 + web.pids.length);
    const down = await cli(['down'], { cwd: p.dir, env: p.env });
    expect(down.code, down.stderr + down.stdout).toBe(0);
    expect(down.stdout).toMatch(new RegExp(`api: stopped \\(3 processes\\), port ${apiPort} free`));
    expect(await survivors(all)).toEqual([]);
    expect(await survivors([supervisor])).toEqual([]);
    expect(await portIsFree(apiPort)).toBe(true);
    expect(await portIsFree(webPort)).toBe(true);
    const after = await status(p);
    expect(after).toEqual({ code: 0, json: expect.objectContaining({ runs: [], foreign: [] }) });
  });

  it('kill -9 of the supervisor orphans nothing: its watchdog stops the services', async () => {
    const p = project();
    const port = await freePort();
    p.writeConfig(`{ api: ${svc(p.mark, { port, env: { PORT: String(port), CHILDREN: '1', SETSID_CHILD: '1' } })} }`);
    const up = await cli(['up'], { cwd: p.dir, env: p.env });
    expect(up.code, up.stderr).toBe(0);
    const { json } = await status(p);
    const supervisor = proc(json.runs[0]!.runner.pid);
    const procs = processesWithEnv('TEST_MARK', p.mark);
    expect(procs.length).toBe(3);
    expect(statOf(supervisor.pid)?.state).not.toBe('Z');
    process.kill(supervisor.pid, 'SIGKILL'); // the supervisor this test's `up` started (pid from the ledger, checked alive above)
    expect(await survivors(procs, 5000)).toEqual([]);
    await waitFor('the port to be free', () => portIsFree(port));
    const after = await status(p);
    expect(after.json.runs).toEqual([]);
  });

  it('a service that fails to start: up exits 1 with its error and output, and leaves nothing', async () => {
    const p = project();
    const okPort = await freePort();
    const badPort = await freePort();
    p.writeConfig(`{ ok: ${svc(p.mark, { port: okPort, env: { PORT: String(okPort) } })}, bad: ${svc(p.mark, { port: badPort, env: { EXIT_NOW_CODE: '3' }, more: "dependsOn: ['ok']," })} }`);
    const up = await cli(['up'], { cwd: p.dir, env: p.env });
    expect(up.code).toBe(1);
    expect(up.stderr).toMatch(/service "bad" exited with code 3 before it was ready/);
    expect(up.stderr).toMatch(/\| fatal: something went wrong/);
    expect(await survivors(processesWithEnv('TEST_MARK', p.mark))).toEqual([]);
    expect(await portIsFree(okPort)).toBe(true);
    expect((await status(p)).json.runs).toEqual([]);
  });

  it('logs -f follows new output', async () => {
    const p = project();
    const port = await freePort();
    p.writeConfig(`{ api: ${svc(p.mark, { port, env: { PORT: String(port) } })} }`);
    expect((await cli(['up'], { cwd: p.dir, env: p.env })).code).toBe(0);
    const { cliProcess } = await import('./cli-helpers.js');
    const f = cliProcess(['logs', 'api', '-f', '-n', '0'], { cwd: p.dir, env: p.env });
    onTestFinished(() => void f.child.kill('SIGKILL'));
    let seen = '';
    f.child.stdout!.on('data', (c: string) => (seen += c));
    const first = await answeringPid(port);
    await sleep(500);
    // The service prints a line when it gets SIGTERM from a restart: it must show up in the follower.
    expect((await cli(['restart', 'api'], { cwd: p.dir, env: p.env })).code).toBe(0);
    const pid = await answeringPid(port);
    expect(seen).not.toContain(`[service ${first}]`); // -n 0: nothing of what was there before
    await waitFor('the new server\'s line in logs -f', () => seen.includes(`[service ${pid}] listening on ${port}`), 10_000);
    f.child.kill('SIGINT');
    expect((await f.done).code).toBe(0);
  });

  it('a state folder others can write (/tmp) is refused with the reason', async () => {
    const p = project();
    p.writeConfig(`{ api: ${svc(p.mark)} }`);
    const r = await cli(['status'], { cwd: p.dir, env: { ...p.env, CLEANROOM_STATE_DIR: '/tmp' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/state folder \/tmp can be written by other users \(mode 1777\)/);
  });

  it('bad arguments get a clear error and exit 1', async () => {
    const p = project();
    p.writeConfig(`{ api: ${svc(p.mark)} }`);
    const unknown = await cli(['up', 'nope'], { cwd: p.dir, env: p.env });
    expect(unknown).toMatchObject({ code: 1, stderr: expect.stringContaining('unknown service "nope" (the config has: api)') });
    const notUp = await cli(['restart', 'api'], { cwd: p.dir, env: p.env });
    expect(notUp).toMatchObject({ code: 1, stderr: expect.stringContaining('no service "api" is running from `cleanroom up`') });
    const badPort = await cli(['sweep', '80x'], { cwd: p.dir, env: p.env });
    expect(badPort).toMatchObject({ code: 1, stderr: expect.stringContaining('"80x" is not a port') });
    const badOpt = await cli(['status', '--jsn'], { cwd: p.dir, env: p.env });
    expect(badOpt.code).toBe(1);
    expect(badOpt.stderr).toMatch(/unknown option '--jsn'/);
    const noLog = await cli(['logs', 'api'], { cwd: p.dir, env: p.env });
    expect(noLog).toMatchObject({ code: 1, stderr: expect.stringContaining('no log for "api"') });
    for (const c of ['up', 'down', 'status', 'restart', 'logs', 'sweep', 'run']) {
      const h = await cli([c, '--help'], { cwd: p.dir, env: p.env });
      expect(h.code, c).toBe(0);
      expect(h.stdout, c).toMatch(/Examples:\n {2}\$ cleanroom /);
      expect(h.stdout, c).toMatch(/Exit codes:\n {2}/);
    }
  });
});
