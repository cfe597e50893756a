/**
 * Through real Vitest and Playwright runs of the packed tarball: a bad config (ConfigError), a
 * service that will not start (ServiceError) and a service that dies during the tests are each
 * printed once, as cleanroom's message without the runner's stack, and the run exits non-zero.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { makeCase, PLAYWRIGHT_BIN, VITEST_BIN, writePlaywrightSuite, writeVitestSuite, CRASH_FILE, crashNow, type Case } from '../helpers/cases.js';
import { expectNothingLeft, snapshotRun } from '../helpers/assert-clean.js';
import { shellStatus, startRunner, type Runner } from '../helpers/runner.js';

let runner: Runner | undefined;
afterEach(() => runner?.kill());

const RUNNERS = {
  vitest: { bin: VITEST_BIN, args: ['run'], suite: writeVitestSuite },
  playwright: { bin: PLAYWRIGHT_BIN, args: ['test'], suite: writePlaywrightSuite },
} as const;

function run(kind: keyof typeof RUNNERS, c: Case, env: Record<string, string> = {}): Runner {
  runner = startRunner(process.execPath, [RUNNERS[kind].bin, ...RUNNERS[kind].args], { cwd: c.dir, env });
  return runner;
}

function count(text: string, part: string): number {
  return text.split(part).length - 1;
}

/** No stack frame of any kind: Node's "    at …", Vitest's " ❯ …", a code frame, Vitest's serialized fields. */
function expectNoStack(out: string): void {
  expect(out, out).not.toMatch(/^\s+at .+[:(]/m);
  expect(out, out).not.toMatch(/❯ /);
  expect(out, out).not.toMatch(/^\s*>?\s*\d+ \|/m);
  expect(out, out).not.toMatch(/Serialized Error/);
  expect(out, out).not.toMatch(/error during close/);
}

describe.each(['vitest', 'playwright'] as const)('%s: cleanroom\'s errors are printed once, without a stack', (kind) => {
  it('a bad config', async () => {
    const c = await makeCase(inject('consumerDir'), `${kind}-badconfig`);
    RUNNERS[kind].suite(c);
    const file = join(c.dir, 'cleanroom.config.mjs');
    writeFileSync(file, `export default { services: { api: { comand: 'node server.js', port: ${c.apiPort} } } };\n`);
    const r = run(kind, c);
    const exit = await r.exited;
    const out = r.output();
    expect(shellStatus(exit), out).not.toBe(0);
    const message = `cleanroom: invalid config in ${file} (2 problems); nothing was started:
  - services.api.command: is required: the command that starts the service, e.g. 'npm run dev' or ['node', 'server.js']
  - services.api.comand: unknown key; did you mean "command"?`;
    expect(count(out, message), out).toBe(1);
    expect(count(out, 'did you mean'), out).toBe(1);
    expectNoStack(out);
  });

  it('a service that will not start: its message and last lines once', async () => {
    const c = await makeCase(inject('consumerDir'), `${kind}-startfail`, { apiEnv: { EXIT_NOW_CODE: '4' } });
    RUNNERS[kind].suite(c);
    const r = run(kind, c);
    const exit = await r.exited;
    const out = r.output();
    expect(shellStatus(exit), out).not.toBe(0);
    expect(count(out, 'cleanroom: service "api" exited with code 4 before it was ready'), out).toBe(1);
    expect(count(out, '| fatal: something went wrong'), out).toBe(1);
    expectNoStack(out);
    await expectNothingLeft(r, [], [c.apiPort, c.webPort]);
  });

  it('a service that dies during the tests: the run fails, said once at the end, without a stack', async () => {
    const c = await makeCase(inject('consumerDir'), `${kind}-crash`, { apiEnv: { EXIT_ON_FILE: CRASH_FILE, EXIT_CODE: '9' } });
    RUNNERS[kind].suite(c);
    const r = run(kind, c, { HANG_MS: '3000' });
    await r.waitFor(/TEST RUNNING/);
    const seen = snapshotRun(r, c);
    crashNow(c);
    const exit = await r.exited;
    const out = r.output();
    expect(shellStatus(exit), out).not.toBe(0);
    expect(count(out, 'cleanroom: the run failed:\n  - service "api" exited with code 9 while the tests were running'), out).toBe(1);
    expectNoStack(out);
    await expectNothingLeft(r, seen, [c.apiPort, c.webPort]);
  });
});
