/**
 * `cleanroom run -- <command>` from the installed tarball's bin: the command sees the services' env,
 * cleanroom exits with its code, and every way the run ends leaves nothing.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { makeCase, CRASH_FILE, crashNow, type Case } from '../helpers/cases.js';
import { expectNothingLeft, snapshotRun } from '../helpers/assert-clean.js';
import { isAlive, proc, processesOfRunner } from '../helpers/os.js';
import { shellStatus, startRunner, type Runner } from '../helpers/runner.js';

let runner: Runner | undefined;
afterEach(() => runner?.kill());

function cleanroom(c: Case, args: string[], env: Record<string, string> = {}): Runner {
  runner = startRunner(join(inject('consumerDir'), 'node_modules/.bin/cleanroom'), args, { cwd: c.dir, env });
  return runner;
}

/** A command that checks the env, prints TEST RUNNING, optionally waits, then exits with EXIT. */
const COMMAND = [
  process.execPath,
  '-e',
  `fetch(process.env.CLEANROOM_API_URL).then(async (r) => {
     console.log('TEST RUNNING pid=' + process.pid + ' status=' + r.status + ' web=' + process.env.CLEANROOM_WEB_PORT);
     setTimeout(() => process.exit(Number(process.env.EXIT || 0)), Number(process.env.HANG_MS || 0));
   });`,
];

describe('cleanroom run', () => {
  it('runs the command with the services\' env and exits with its code', async () => {
    const c = await makeCase(inject('consumerDir'), 'cli-code');
    const r = cleanroom(c, ['run', '--', ...COMMAND], { EXIT: '3', HANG_MS: '300' });
    await r.waitFor(/TEST RUNNING/);
    const seen = snapshotRun(r, c);
    expect(shellStatus(await r.exited)).toBe(3);
    expect(r.output()).toMatch(new RegExp(`status=200 web=${c.webPort}`));
    await expectNothingLeft(r, seen, [c.apiPort, c.webPort]);
  });

  it('--verbose shows every service\'s output prefixed [name]', async () => {
    const c = await makeCase(inject('consumerDir'), 'cli-verbose');
    const r = cleanroom(c, ['run', '--verbose', '--', ...COMMAND]);
    expect(shellStatus(await r.exited)).toBe(0);
    expect(r.output()).toMatch(new RegExp(`\\[api\\] \\[service \\d+\\] listening on ${c.apiPort}`));
    expect(r.output()).toMatch(new RegExp(`\\[web\\] \\[service \\d+\\] listening on ${c.webPort}`));
  });

  it('without --verbose, service output stays out of the way', async () => {
    const c = await makeCase(inject('consumerDir'), 'cli-quiet');
    const r = cleanroom(c, ['run', '--', ...COMMAND]);
    expect(shellStatus(await r.exited)).toBe(0);
    expect(r.output()).not.toMatch(/listening on/);
    expect(r.output()).toMatch(/api ready on :\d+ in \d+/);
  });

  it('exits 0 when the command passes', async () => {
    const c = await makeCase(inject('consumerDir'), 'cli-pass');
    const r = cleanroom(c, ['run', '--', ...COMMAND]);
    expect(shellStatus(await r.exited), r.output()).toBe(0);
    expect(r.output()).toMatch(/stopped 2 services/);
    await expectNothingLeft(r, [], [c.apiPort, c.webPort]);
  });

  it('a service crashing while the command runs makes the exit non-zero', async () => {
    const c = await makeCase(inject('consumerDir'), 'cli-crash', { apiEnv: { EXIT_ON_FILE: CRASH_FILE, EXIT_CODE: '9' } });
    const r = cleanroom(c, ['run', '--', ...COMMAND], { HANG_MS: '2500' });
    await r.waitFor(/TEST RUNNING/);
    const seen = snapshotRun(r, c);
    crashNow(c);
    expect(shellStatus(await r.exited)).toBe(1);
    expect(r.output()).toMatch(/service "api" exited with code 9 while the tests were running/);
    await expectNothingLeft(r, seen, [c.apiPort, c.webPort]);
  });

  it('a service that fails to start: exit 1, one clear error, the command never runs', async () => {
    const c = await makeCase(inject('consumerDir'), 'cli-startfail', { apiEnv: { EXIT_NOW_CODE: '4' } });
    const r = cleanroom(c, ['run', '--', ...COMMAND]);
    expect(shellStatus(await r.exited)).toBe(1);
    expect(r.output()).toMatch(/service "api" exited with code 4 before it was ready/);
    expect(r.output()).toMatch(/fatal: something went wrong/);
    expect(r.output()).not.toMatch(/TEST RUNNING/);
    await expectNothingLeft(r, [], [c.apiPort, c.webPort]);
  });

  it('bad config: every problem listed, exit 1, nothing started', async () => {
    const c = await makeCase(inject('consumerDir'), 'cli-badconfig');
    writeFileSync(
      join(c.dir, 'bad.config.mjs'),
      `export default { services: { a: { command: '', port: 70000 }, b: { command: 'x', dependsOn: ['nope'], colour: 'red' } } };\n`,
    );
    const r = cleanroom(c, ['run', '--config', 'bad.config.mjs', '--', ...COMMAND]);
    expect(shellStatus(await r.exited)).toBe(1);
    const out = r.output();
    expect(out).toMatch(/invalid config .*bad\.config\.mjs \(4 problems\)/);
    expect(out).toMatch(/services\.a\.command: must not be empty/);
    expect(out).toMatch(/services\.a\.port: must be 1-65535/);
    expect(out).toMatch(/colour/);
    expect(out).toMatch(/unknown service "nope"/);
  });

  it('a background process the command leaves behind is stopped too', async () => {
    const c = await makeCase(inject('consumerDir'), 'cli-leftover');
    const r = cleanroom(c, ['run', '--', process.execPath, '-e', `
      const { spawn } = require('node:child_process');
      const k = spawn(process.execPath, ['-e', 'setInterval(()=>{},1000)'], { stdio: 'ignore' });
      k.unref();
      console.log('TEST RUNNING leftover=' + k.pid);
      setTimeout(() => process.exit(0), 300);`]);
    await r.waitFor(/TEST RUNNING leftover=\d+/);
    const leftover = proc(Number(/leftover=(\d+)/.exec(r.output())![1]));
    const seen = snapshotRun(r, c);
    expect(shellStatus(await r.exited)).toBe(0);
    await expectNothingLeft(r, seen, [c.apiPort, c.webPort]);
    expect(isAlive(leftover)).toBe(false);
  });

  it('Ctrl+C while the services are starting: exit 130 at once, nothing left', async () => {
    const c = await makeCase(inject('consumerDir'), 'cli-sigint-starting', { apiEnv: { READY_DELAY_MS: '20000' } });
    const r = cleanroom(c, ['run', '--', ...COMMAND]);
    // The api is running but not listening yet.
    let seen: ReturnType<typeof processesOfRunner> = [];
    for (let i = 0; i < 500 && seen.length < 4; i++) {
      await new Promise((res) => setTimeout(res, 10));
      seen = processesOfRunner(r.pid);
    }
    expect(seen.length).toBeGreaterThan(0);
    const t0 = performance.now();
    r.signalGroup('SIGINT');
    expect(shellStatus(await r.exited), r.output()).toBe(130);
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(r.output()).not.toMatch(/TEST RUNNING/);
    await expectNothingLeft(r, seen, [c.apiPort, c.webPort]);
  });

  it('Ctrl+C: the command\'s own SIGINT teardown can still use the services, then everything stops', async () => {
    const c = await makeCase(inject('consumerDir'), 'cli-teardown');
    const command = [
      process.execPath,
      '-e',
      `process.on('SIGINT', async () => {
         const r = await fetch(process.env.CLEANROOM_API_URL).catch((e) => ({ status: e.cause?.code ?? 'error' }));
         console.log('TEARDOWN status=' + r.status);
         process.exit(130);
       });
       console.log('TEST RUNNING'); setInterval(() => {}, 1000);`,
    ];
    const r = cleanroom(c, ['run', '--', ...command]);
    await r.waitFor(/TEST RUNNING/);
    const seen = snapshotRun(r, c);
    r.signalGroup('SIGINT');
    expect(shellStatus(await r.exited)).toBe(130);
    expect(r.output()).toMatch(/TEARDOWN status=200/);
    await expectNothingLeft(r, seen, [c.apiPort, c.webPort]);
  });

  for (const [how, sig, status] of [
    ['Ctrl+C to cleanroom\'s group', 'SIGINT', 130],
    ['SIGINT to cleanroom\'s pid', 'SIGINT', 130],
    ['SIGTERM to cleanroom\'s pid', 'SIGTERM', 143],
  ] as const) {
    it(`${how} while the command runs: forwarded once, exit ${status}, nothing left`, async () => {
      const c = await makeCase(inject('consumerDir'), 'cli-signal');
      const r = cleanroom(c, ['run', '--', ...COMMAND], { HANG_MS: '8000' });
      await r.waitFor(/TEST RUNNING pid=\d+/);
      const command = proc(Number(/TEST RUNNING pid=(\d+)/.exec(r.output())![1]));
      const seen = snapshotRun(r, c);
      if (how.includes('group')) r.signalGroup(sig);
      else r.signal(sig);
      expect(shellStatus(await r.exited)).toBe(status);
      await expectNothingLeft(r, seen, [c.apiPort, c.webPort]);
      expect(isAlive(command)).toBe(false);
    });
  }
});

describe('cleanroom run: bad arguments are ConfigErrors, checked before any service starts', () => {
  const USAGE = 'cleanroom run [--config FILE] -- <command…>, e.g. cleanroom run -- npx playwright test';
  it.each([
    ['no command', ['run'], `command: is required: ${USAGE}`],
    ['an empty command', ['run', '--', ''], `command: the program name is empty (""): ${USAGE}`],
    ['a blank command', ['run', '--', '  ', 'x'], `command: the program name is empty ("  "): ${USAGE}`],
  ])('%s', async (_what, args, problem) => {
    const marker = join(inject('consumerDir'), `marker-${process.pid}-${Math.random().toString(36).slice(2)}`);
    const c = await makeCase(inject('consumerDir'), 'cli-args', { apiEnv: { MARKER: marker } });
    const r = cleanroom(c, args);
    expect(shellStatus(await r.exited)).toBe(1);
    expect(r.output()).toBe(`cleanroom: invalid arguments to cleanroom run (1 problem); nothing was started:\n  - ${problem}\n`);
    expect(existsSync(marker), 'a service was started').toBe(false);
  });

  it('--config naming a folder', async () => {
    const c = await makeCase(inject('consumerDir'), 'cli-config-dir');
    const r = cleanroom(c, ['run', '--config', '.', '--', 'true']);
    expect(shellStatus(await r.exited)).toBe(1);
    expect(r.output()).toBe(
      `cleanroom: invalid config (1 problem); nothing was started:\n  - --config names ${c.dir}, a folder: name the config file itself, e.g. ${join(c.dir, 'cleanroom.config.mjs')}\n`,
    );
  });
});
