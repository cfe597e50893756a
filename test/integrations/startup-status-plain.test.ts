/**
 * The start-up status without a terminal: one plain line per event and the teardown summary, and not a
 * single escape byte, when stderr is a pipe, in CI (CI=1 alone: picocolors' default would colour
 * there) and under NO_COLOR; FORCE_COLOR colours the plain lines but never moves the cursor.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it, onTestFinished } from 'vitest';
import { makeCase, VITEST_BIN, writeVitestSuite, type Case } from '../helpers/cases.js';
import { expectNothingLeft } from '../helpers/assert-clean.js';
import { shellStatus, startRunner, type Runner } from '../helpers/runner.js';

let runner: Runner | undefined;
afterEach(() => runner?.kill());

/** Prints TEST RUNNING with what it got, then exits 0. */
const COMMAND = [process.execPath, '-e', `console.log('TEST RUNNING web=' + process.env.CLEANROOM_WEB_PORT)`];
const MS = String.raw`(\d+ ms|\d+(\.\d)? s)`;

/** The environment the runner gets: `env` on top of a clean one (no CI, no colour variables) and a private ledger. */
function envWith(env: Record<string, string>): Record<string, string | undefined> {
  const state = mkdtempSync(join(tmpdir(), 'cleanroom-state-'));
  onTestFinished(() => rmSync(state, { recursive: true, force: true }));
  // A private state folder: another run's stale ledger records would add reaping lines.
  return { CI: undefined, NO_COLOR: undefined, FORCE_COLOR: undefined, TERM: undefined, CLEANROOM_STATE_DIR: state, ...env };
}

/** The exact lines cleanroom prints for the two-service case, in order (api first: web depends on it). */
function expectedLines(c: Case, between: RegExp[] = []): RegExp[] {
  return [
    new RegExp(`^cleanroom: api waiting for TCP :${c.apiPort}$`),
    new RegExp(`^cleanroom: api ready on :${c.apiPort} in ${MS} \\(http://localhost:${c.apiPort}\\)$`),
    new RegExp(`^cleanroom: web waiting for TCP :${c.webPort}$`),
    new RegExp(`^cleanroom: web ready on :${c.webPort} in ${MS} \\(http://localhost:${c.webPort}\\)$`),
    ...between,
    new RegExp(`^cleanroom: stopped 2 services \\(\\d+ processes\\) in ${MS}; 0 left; ports ${c.apiPort}, ${c.webPort} free$`),
  ];
}

function expectLines(lines: string[], expected: RegExp[], output: string): void {
  expect(lines.length, `line count; output:\n${output}`).toBe(expected.length);
  lines.forEach((line, i) => expect(line, `line ${i + 1}; output:\n${output}`).toMatch(expected[i]!));
}

describe('start-up status without a terminal (cleanroom run)', () => {
  const cases: Array<[string, Record<string, string>]> = [
    ['stderr is a pipe, no CI, no colour variables', {}],
    ['CI=1 (and nothing else)', { CI: '1' }],
    ['NO_COLOR=1', { NO_COLOR: '1' }],
  ];
  for (const [name, env] of cases) {
    it(`${name}: exact plain lines, no escape byte at all`, async () => {
      const c = await makeCase(inject('consumerDir'), 'status-plain');
      runner = startRunner(join(inject('consumerDir'), 'node_modules/.bin/cleanroom'), ['run', '--', ...COMMAND], { cwd: c.dir, env: envWith(env) });
      expect(shellStatus(await runner.exited), runner.output()).toBe(0);
      const out = runner.output();
      expect(out.includes('\x1b'), `an escape byte in:\n${JSON.stringify(out)}`).toBe(false);
      expectLines(out.trimEnd().split('\n'), expectedLines(c, [new RegExp(`^TEST RUNNING web=${c.webPort}$`)]), out);
      await expectNothingLeft(runner, [], [c.apiPort, c.webPort]);
    });
  }

  it('a service that fails to start: one failed line for it (none for its dependent, which never started), then the error', async () => {
    const c = await makeCase(inject('consumerDir'), 'status-fail', { apiEnv: { EXIT_NOW_CODE: '4' } });
    runner = startRunner(join(inject('consumerDir'), 'node_modules/.bin/cleanroom'), ['run', '--', ...COMMAND], { cwd: c.dir, env: envWith({ CI: '1' }) });
    expect(shellStatus(await runner.exited), runner.output()).toBe(1);
    const out = runner.output();
    expect(out.includes('\x1b'), `an escape byte in:\n${JSON.stringify(out)}`).toBe(false);
    expectLines(
      out.split('\n').slice(0, 4),
      [
        new RegExp(`^cleanroom: api waiting for TCP :${c.apiPort}$`),
        /^cleanroom: api failed: exited with code 4 before it was ready$/,
        new RegExp(`^cleanroom: stopped 1 service \\(0 processes\\) in ${MS}; 0 left; ports ${c.apiPort} free$`),
        /^cleanroom: service "api" exited with code 4 before it was ready$/,
      ],
      out,
    );
    expect(out).not.toMatch(/cleanroom: web/);
    expect(out).toMatch(/fatal: something went wrong/);
  });

  it('FORCE_COLOR=1 in a pipe: the same lines in colour, and no cursor movement', async () => {
    const c = await makeCase(inject('consumerDir'), 'status-force');
    runner = startRunner(join(inject('consumerDir'), 'node_modules/.bin/cleanroom'), ['run', '--', ...COMMAND], { cwd: c.dir, env: envWith({ FORCE_COLOR: '1' }) });
    expect(shellStatus(await runner.exited), runner.output()).toBe(0);
    const out = runner.output();
    // Only SGR sequences (colours: ESC [ ... m); no cursor up/down/left, no line erase.
    // eslint-disable-next-line no-control-regex
    const sequences = out.match(/\x1b\[[0-9;?]*[A-Za-z]/g) ?? [];
    expect(sequences.length, 'FORCE_COLOR=1 gave no colour').toBeGreaterThan(0);
    expect(sequences.filter((s) => !s.endsWith('m'))).toEqual([]);
    // eslint-disable-next-line no-control-regex
    const plain = out.replace(/\x1b\[[0-9;]*m/g, '');
    expectLines(plain.trimEnd().split('\n'), expectedLines(c, [new RegExp(`^TEST RUNNING web=${c.webPort}$`)]), plain);
  });
});

describe('start-up status without a terminal (Vitest)', () => {
  it('CI=1: cleanroom\'s lines are exactly the plain ones, with no escape byte, before the tests run', async () => {
    const c = await makeCase(inject('consumerDir'), 'status-vitest');
    writeVitestSuite(c);
    runner = startRunner(process.execPath, [VITEST_BIN, 'run'], { cwd: c.dir, env: envWith({ CI: '1' }) });
    expect(shellStatus(await runner.exited), runner.output()).toBe(0);
    const out = runner.output();
    const ours = out.split('\n').filter((l) => l.includes('cleanroom:'));
    for (const l of ours) expect(l.includes('\x1b'), `an escape byte in ${JSON.stringify(l)}`).toBe(false);
    expectLines(ours, expectedLines(c), out);
    // Start-up is over (all four lines out) before the first test prints anything.
    const webReady = out.indexOf(`web ready on :${c.webPort}`);
    expect(webReady).toBeGreaterThan(-1);
    expect(out.indexOf('TEST RUNNING')).toBeGreaterThan(webReady);
    await expectNothingLeft(runner, [], [c.apiPort, c.webPort]);
  });
});
