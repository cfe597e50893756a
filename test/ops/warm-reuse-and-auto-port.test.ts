/**
 * Warm reuse: a test run (`cleanroom run`, programmatic start()) uses the services `cleanroom up`
 * runs with the same definition, and leaves them running; a changed definition is refused, naming
 * what differs. port: 'auto': two runs of the same suite at once each get their own ports and
 * their own services, and never touch each other's.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { loadConfig, start } from '../../src/index.js';
import { silentLogger } from '../../src/run/log.js';
import { answeringPid, processesWithEnv, waitFor } from '../helpers/api.js';
import { startForeignHolder } from '../helpers/spawn.js';
import { freePort, isAlive, portIsFree, survivors } from '../helpers/os.js';
import { cli, cliProcess, project, status, svc } from './cli-helpers.js';

/** A test command: fetches each service's URL from the env and prints { name: { url, pid } }. */
const CHECK = `
const { writeFileSync, existsSync, readFileSync } = await import('node:fs');
const out = {};
for (const name of ['API', 'WEB']) {
  const url = process.env['CLEANROOM_' + name + '_URL'];
  const body = await (await fetch(url)).text();
  out[name] = { url, port: Number(process.env['CLEANROOM_' + name + '_PORT']), pid: Number(body.split(' ')[1]) };
}
// With BARRIER set: wait until every run has got this far (the runs overlap), then check again.
if (process.env.BARRIER) {
  writeFileSync(process.env.BARRIER + '.' + process.pid, '');
  const { readdirSync } = await import('node:fs');
  const dir = process.env.BARRIER.replace(/\\/[^/]*$/, '');
  const base = process.env.BARRIER.replace(/^.*\\//, '');
  for (let i = 0; i < 3000 && readdirSync(dir).filter((f) => f.startsWith(base + '.')).length < 2; i++) await new Promise((r) => setTimeout(r, 10));
  for (const name of ['API', 'WEB']) {
    const body = await (await fetch(out[name].url)).text();
    if (Number(body.split(' ')[1]) !== out[name].pid) { console.error('another server answers now'); process.exit(3); }
  }
}
// Each answering server must carry this run's tag: the runner that started it is our parent, cleanroom.
for (const name of ['API', 'WEB']) {
  const env = readFileSync('/proc/' + out[name].pid + '/environ', 'latin1').split('\\0');
  out[name].runner = env.find((e) => e.startsWith('CLEANROOM_RUNNER='))?.split('=')[1].split(':')[0];
  out[name].myPort = env.find((e) => e.startsWith('MY_PORT='))?.split('=')[1];
}
if (process.env.MARKER) writeFileSync(process.env.MARKER, 'ran');
console.log(JSON.stringify({ parent: process.ppid, ...out }));
`;

function config(mark: string, apiPort: number | 'auto', apiChildren: string, base?: number): [string, string] {
  return [
    `{ api: ${svc(mark, { port: apiPort, env: { ...(apiPort !== 'auto' && { PORT: String(apiPort) }), CHILDREN: apiChildren, MY_PORT: '{port}' }, more: "ready: { url: 'http://localhost:{port}/' }," })},` +
      ` web: ${svc(mark, { port: 'auto', env: { MY_PORT: '{port}' }, more: "ready: '/', dependsOn: ['api']," })} }`,
    base === undefined ? '' : `portBase: ${base},`,
  ];
}

describe('warm reuse of `cleanroom up`', () => {
  it('a test run uses up\'s services (same definition), leaves them running; a changed definition is refused', async () => {
    const p = project();
    const apiPort = await freePort();
    p.writeConfig(...config(p.mark, apiPort, '1', await freePort()));
    writeFileSync(join(p.dir, 'check.mjs'), CHECK);
    const up = await cli(['up'], { cwd: p.dir, env: p.env });
    expect(up.code, up.stderr).toBe(0);
    const upProcs = processesWithEnv('TEST_MARK', p.mark);
    const { json } = await status(p);
    const upPids = new Set(json.runs[0]!.services.flatMap((s) => s.pids));
    expect(upPids.size).toBe(upProcs.length);

    const run = await cli(['run', '--', 'node', 'check.mjs'], { cwd: p.dir, env: p.env });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/api is already running from `cleanroom up` \(run up-[^)]+\) with the same definition: using it at http:\/\/localhost:\d+, and leaving it running/);
    expect(run.stderr).toMatch(/web is already running from `cleanroom up`/);
    const seen = JSON.parse(run.stdout.trim().split('\n').at(-1)!);
    expect(seen.API.port).toBe(apiPort);
    expect(upPids.has(seen.API.pid) && upPids.has(seen.WEB.pid), 'what answered is not up\'s own tree').toBe(true);
    expect(seen.WEB.myPort).toBe(String(seen.WEB.port)); // {port} in env filled in with the picked port
    expect(upProcs.every(isAlive), 'the test run stopped up\'s services').toBe(true);

    // The programmatic API does the same (as the Vitest and Playwright integrations call it).
    process.env.CLEANROOM_STATE_DIR = p.stateDir;
    try {
      const services = await start(await loadConfig(undefined, p.dir), { logger: silentLogger });
      expect(services.info.api?.url).toBe(`http://localhost:${apiPort}`);
      expect(services.info.web?.port).toBe(seen.WEB.port);
      await services.stop();
    } finally {
      delete process.env.CLEANROOM_STATE_DIR;
    }
    expect(upProcs.every(isAlive)).toBe(true);

    // A changed definition: refused before the command runs, naming the difference; up is untouched.
    p.writeConfig(...config(p.mark, apiPort, '2', await freePort()));
    const marker = join(p.dir, 'ran');
    const changed = await cli(['run', '--', 'node', 'check.mjs'], { cwd: p.dir, env: { ...p.env, MARKER: marker } });
    expect(changed.code).toBe(1);
    expect(changed.stderr).toMatch(/service "api" is already running from `cleanroom up` \(run up-[^,]+, supervisor pid \d+\) with another definition:\n\s+env: CHILDREN=1 .*\(running\) vs CHILDREN=2 .*\(this config\)/);
    expect(changed.stderr).toContain('cleanroom restart api');
    expect(existsSync(marker)).toBe(false);
    expect(upProcs.every(isAlive)).toBe(true);

    // `restart` picks up the new definition; then the test run reuses it again.
    const restart = await cli(['restart', 'api'], { cwd: p.dir, env: p.env });
    expect(restart.code, restart.stderr).toBe(0);
    const again = await cli(['run', '--', 'node', 'check.mjs'], { cwd: p.dir, env: { ...p.env, MARKER: marker } });
    expect(again.code, again.stderr).toBe(0);
    expect(readFileSync(marker, 'utf8')).toBe('ran');
  });
});

describe('warm reuse never tests against a stranger', () => {
  it('when up\'s server died and a stranger took its port, the test run fails naming the stranger', async () => {
    const p = project();
    const apiPort = await freePort();
    p.writeConfig(...config(p.mark, apiPort, '1', await freePort()));
    writeFileSync(join(p.dir, 'check.mjs'), CHECK);
    const up = await cli(['up'], { cwd: p.dir, env: p.env });
    expect(up.code, up.stderr).toBe(0);
    const upProcs = processesWithEnv('TEST_MARK', p.mark);
    const server = await answeringPid(apiPort);
    expect(upProcs.map((x) => x.pid)).toContain(server);
    // up's api server dies (its idle child lives on, so the service's tree is still there)...
    process.kill(server!, 'SIGKILL'); // a process of this test's `up` (it carries the test's mark, checked above)
    await waitFor('the port to be free', () => portIsFree(apiPort));
    // ...and a process that is no one's service takes the port.
    const stranger = await startForeignHolder(apiPort);
    onTestFinished(() => stranger.kill());
    const marker = join(p.dir, 'ran');
    const run = await cli(['run', '--', 'node', 'check.mjs'], { cwd: p.dir, env: { ...p.env, MARKER: marker } });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`port ${apiPort} is answered by pid ${stranger.pid} \\(.*service\\.mjs\\), not by that service`));
    expect(existsSync(marker), 'the tests ran against a stranger').toBe(false);
    expect(isAlive(stranger), 'the stranger was stopped by a test run').toBe(true);
  });
});

describe('a sibling worktree', () => {
  it('never reuses another project\'s up (same config, other folder): a fixed port is an error naming that run; up is untouched', async () => {
    const a = project();
    const b = project();
    const apiPort = await freePort();
    const base = await freePort();
    // The same service definitions, in two folders (two worktrees of one repo).
    for (const p of [a, b]) {
      p.writeConfig(...config(a.mark, apiPort, '1', base));
      writeFileSync(join(p.dir, 'check.mjs'), CHECK);
    }
    const sharedEnv = { ...b.env, CLEANROOM_STATE_DIR: a.stateDir }; // one user, one state folder
    const up = await cli(['up'], { cwd: a.dir, env: a.env });
    expect(up.code, up.stderr).toBe(0);
    const upProcs = processesWithEnv('TEST_MARK', a.mark);
    const marker = join(b.dir, 'ran');
    const run = await cli(['run', '--', 'node', 'check.mjs'], { cwd: b.dir, env: { ...sharedEnv, MARKER: marker } });
    expect(run.code).toBe(1);
    expect(run.stderr).not.toMatch(/already running from `cleanroom up`/);
    expect(run.stderr).toMatch(new RegExp(`port ${apiPort} belongs to another cleanroom run that is still running .* in ${a.dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    expect(existsSync(marker)).toBe(false);
    expect(upProcs.every(isAlive), 'the sibling\'s run touched up\'s services').toBe(true);
  });
});

describe("port: 'auto'", () => {
  it('two runs of the same suite at once each get their own ports and their own services', async () => {
    const p = project();
    const base = await freePort();
    p.writeConfig(...config(p.mark, 'auto', '1', base));
    writeFileSync(join(p.dir, 'check.mjs'), CHECK);
    const env = { ...p.env, BARRIER: join(p.dir, 'barrier') };
    const a = cliProcess(['run', '--', 'node', 'check.mjs'], { cwd: p.dir, env });
    const b = cliProcess(['run', '--', 'node', 'check.mjs'], { cwd: p.dir, env });
    const [ra, rb] = await Promise.all([a.done, b.done]);
    expect(ra.code, ra.stderr).toBe(0);
    expect(rb.code, rb.stderr).toBe(0);
    const sa = JSON.parse(ra.stdout.trim().split('\n').at(-1)!);
    const sb = JSON.parse(rb.stdout.trim().split('\n').at(-1)!);
    // Each run's services were started by that run (CLEANROOM_RUNNER is its cleanroom's pid).
    for (const s of [sa, sb]) {
      expect(s.API.runner).toBe(String(s.parent));
      expect(s.WEB.runner).toBe(String(s.parent));
      expect(s.API.myPort).toBe(String(s.API.port));
      expect(s.API.port).toBeGreaterThanOrEqual(base);
    }
    const ports = [sa.API.port, sa.WEB.port, sb.API.port, sb.WEB.port];
    expect(new Set(ports).size, `ports: ${ports.join(', ')}`).toBe(4);
    expect(processesWithEnv('TEST_MARK', p.mark)).toEqual([]);
    for (const port of ports) expect(await portIsFree(port)).toBe(true);
    expect(await survivors([])).toEqual([]);
    expect(await answeringPid(sa.API.port)).toBeUndefined();
  });
});
