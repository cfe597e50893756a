/**
 * The live start-up block in a real terminal (tmux): Vitest and Playwright run in a tmux pane typed
 * into with send-keys, and the pane is read with capture-pane. While a service waits its line ticks
 * (the elapsed time changes in place); when start-up is over each service has exactly one line, in its
 * final state, above the runner's own output, and the teardown summary follows the run.
 * Skipped, saying so, when tmux is not installed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import { makeCase, PLAYWRIGHT_BIN, VITEST_BIN, writePlaywrightSuite, writeVitestSuite, type Case } from '../helpers/cases.js';
import { portFreesWithin } from '../helpers/os.js';
import { ROOT } from '../helpers/spawn.js';

const HAS_TMUX = spawnSync('tmux', ['-V']).status === 0;
/** Where the captured screens are kept (for a look by hand; .tmp is not committed). */
const SCREENS = join(ROOT, '.tmp', 'screens');

interface Pane {
  /** The visible screen plus scrollback, trailing blank lines dropped. */
  capture(): string;
  type(line: string): void;
}

/** A tmux server of our own (its own socket), one 120x40 pane running a clean bash; ended when the test ends. */
function tmuxPane(): Pane {
  const socket = `cleanroom-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const tmux = (...args: string[]) => execFileSync('tmux', ['-u', '-L', socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
  const state = mkdtempSync(join(tmpdir(), 'cleanroom-state-'));
  // What a developer's terminal has: no CI, no colour variables, none of this test run's VITEST*.
  const env = ['env', '-i', `PATH=${process.env.PATH}`, `HOME=${process.env.HOME}`, 'TERM=screen', 'LANG=C.UTF-8', `CLEANROOM_STATE_DIR=${state}`];
  tmux('new-session', '-d', '-s', 'main', '-x', '120', '-y', '40', ...env, 'bash', '--norc', '--noprofile');
  tmux('set-option', '-g', 'history-limit', '5000');
  const socketPath = tmux('display-message', '-p', '#{socket_path}').trim();
  onTestFinished(() => {
    try {
      tmux('kill-server'); // our own server only (its socket); SIGHUP ends what runs in the pane
    } catch {
      /* already gone */
    }
    rmSync(socketPath, { force: true }); // kill-server leaves the socket file behind
    rmSync(state, { recursive: true, force: true });
  });
  return {
    capture: () => tmux('capture-pane', '-p', '-J', '-S', '-', '-t', 'main').replace(/\s+$/, ''),
    type: (line) => void tmux('send-keys', '-t', 'main', line, 'Enter'),
  };
}

async function waitForScreen(pane: Pane, what: string, test: (screen: string) => boolean, timeoutMs = 90_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const screen = pane.capture();
    if (test(screen)) return screen;
    if (Date.now() > deadline) expect.fail(`timed out waiting for ${what}; screen:\n${screen}`);
    await sleep(50);
  }
}

const MS = String.raw`(\d+ ms|\d+(\.\d)? s)`;

/** Runs `command` in the pane; checks the ticking while api waits; returns the screens. */
async function runInTmux(c: Case, command: string, name: string): Promise<{ during: string; final: string }> {
  const pane = tmuxPane();
  pane.type(`cd ${c.dir} && clear && ${command}; echo "EXIT:$?"`);
  const waitingRe = /cleanroom: \S api +waiting (\d+\.\d) s +for TCP :\d+/;
  const during = await waitForScreen(pane, 'api waiting', (s) => waitingRe.test(s));
  const first = waitingRe.exec(during)![1];
  // The elapsed time ticks in place: a later screen shows another value on the one api line.
  const later = await waitForScreen(pane, 'the elapsed time to change', (s) => {
    const m = waitingRe.exec(s);
    return (m !== null && m[1] !== first) || /api +ready/.test(s);
  });
  expect(later, 'api got ready before its waiting line ticked once').toMatch(waitingRe);
  expect(later.match(/ api +waiting/g), 'the waiting line was appended, not rewritten').toHaveLength(1);
  const final = await waitForScreen(pane, 'the run to end', (s) => /EXIT:\d+/.test(s));
  mkdirSync(SCREENS, { recursive: true });
  writeFileSync(join(SCREENS, `${name}.txt`), `--- while api waits ---\n${later}\n\n--- at the end ---\n${final}\n`);
  return { during: later, final };
}

function expectFinalBlock(c: Case, screen: string, firstRunnerLine: RegExp): void {
  expect(screen, screen).toMatch(/EXIT:0/);
  const lines = screen.split('\n');
  const apiLine = new RegExp(`^cleanroom: ✔ api +ready on :${c.apiPort} in ${MS} +http://localhost:${c.apiPort}$`);
  const webLine = new RegExp(`^cleanroom: ✔ web +ready on :${c.webPort} in ${MS} +http://localhost:${c.webPort}$`);
  const stopped = new RegExp(`^cleanroom: stopped 2 services \\(\\d+ processes\\) in ${MS}; 0 left; ports ${c.apiPort}, ${c.webPort} free$`);
  // One line per service, in its final state: nothing waiting, no spinner, no second copy.
  expect(lines.filter((l) => apiLine.test(l)), screen).toHaveLength(1);
  expect(lines.filter((l) => webLine.test(l)), screen).toHaveLength(1);
  expect(lines.filter((l) => l.startsWith('cleanroom:') && !apiLine.test(l) && !webLine.test(l) && !stopped.test(l)), screen).toEqual([]);
  expect(screen).not.toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/);
  // The block is finished before the runner's own test output, the summary comes after it.
  const blockEnd = Math.max(lines.findIndex((l) => apiLine.test(l)), lines.findIndex((l) => webLine.test(l)));
  const runnerLine = lines.findIndex((l) => firstRunnerLine.test(l));
  expect(runnerLine, screen).toBeGreaterThan(blockEnd);
  expect(lines.findIndex((l) => stopped.test(l)), screen).toBeGreaterThan(runnerLine);
}

/** Runs `command` in the pane until it ends; returns the final screen. */
async function finalScreen(c: Case, command: string, name: string): Promise<string> {
  const pane = tmuxPane();
  pane.type(`cd ${c.dir} && clear && ${command}; echo "EXIT:$?"`);
  const final = await waitForScreen(pane, 'the run to end', (s) => /EXIT:\d+/.test(s));
  mkdirSync(SCREENS, { recursive: true });
  writeFileSync(join(SCREENS, `${name}.txt`), `${final}\n`);
  return final;
}

describe.skipIf(!HAS_TMUX)(`the live start-up block in a terminal${HAS_TMUX ? '' : ' (skipped: tmux is not installed; apt-get install tmux)'}`, () => {
  it('under Vitest: ticks while api waits, then one final line per service above Vitest\'s output', async () => {
    const c = await makeCase(inject('consumerDir'), 'status-tmux-vitest', { apiEnv: { READY_DELAY_MS: '2500' } });
    writeVitestSuite(c);
    const { final } = await runInTmux(c, `${process.execPath} ${VITEST_BIN} run`, 'vitest');
    expectFinalBlock(c, final, /TEST RUNNING|suite\.test\.mjs/);
    expect(final).toMatch(/Tests +1 passed/);
    for (const port of [c.apiPort, c.webPort]) expect(await portFreesWithin(port)).toBe(true);
  });

  it('under Playwright: ticks while api waits, then one final line per service above Playwright\'s output', async () => {
    const c = await makeCase(inject('consumerDir'), 'status-tmux-playwright', { apiEnv: { READY_DELAY_MS: '2500' } });
    writePlaywrightSuite(c);
    const { final } = await runInTmux(c, `${process.execPath} ${PLAYWRIGHT_BIN} test`, 'playwright');
    expectFinalBlock(c, final, /TEST RUNNING|1 passed/);
    expect(final).toMatch(/1 passed/);
    for (const port of [c.apiPort, c.webPort]) expect(await portFreesWithin(port)).toBe(true);
  });

  it('cleanroom run --verbose: the services\' output scrolls above the block, which ends with one line per service', async () => {
    const c = await makeCase(inject('consumerDir'), 'status-tmux-verbose', { apiEnv: { READY_DELAY_MS: '1500' } });
    const bin = join(inject('consumerDir'), 'node_modules/.bin/cleanroom');
    const screen = await finalScreen(c, `${bin} run --verbose -- ${process.execPath} -e "console.log('COMMAND RAN')"`, 'cli-verbose');
    expect(screen).toMatch(/EXIT:0/);
    const lines = screen.split('\n');
    expectFinalBlock(c, screen, /^COMMAND RAN$/);
    // api's output came while the block was live (api waited 1.5 s): it sits above the block, and the
    // block's two lines stay together. (web's line may come after start-up is over, below.)
    const blockStart = lines.findIndex((l) => /^cleanroom: ✔ (api|web) /.test(l));
    const apiOutput = lines.findIndex((l) => new RegExp(`^\\[api\\] .*listening on ${c.apiPort}$`).test(l));
    expect(apiOutput, screen).toBeGreaterThan(-1);
    expect(apiOutput, screen).toBeLessThan(blockStart);
    expect(lines.slice(blockStart, blockStart + 2).every((l) => /^cleanroom: ✔ (api|web) /.test(l)), screen).toBe(true);
  });

  it('under Vitest, a service that fails to start: its line says failed and why, before Vitest\'s error', async () => {
    const c = await makeCase(inject('consumerDir'), 'status-tmux-fail', { apiEnv: { EXIT_NOW_CODE: '4' } });
    writeVitestSuite(c);
    const screen = await finalScreen(c, `${process.execPath} ${VITEST_BIN} run`, 'vitest-failed');
    expect(screen).toMatch(/EXIT:1/);
    const lines = screen.split('\n');
    const failed = lines.findIndex((l) => /^cleanroom: ✖ api +failed: exited with code 4 before it was ready$/.test(l));
    expect(failed, screen).toBeGreaterThan(-1);
    expect(lines.filter((l) => /^cleanroom: \S+ api /.test(l)), 'one line for api').toHaveLength(1);
    expect(lines.filter((l) => /^cleanroom: \S+ web /.test(l)), 'web never started: no line').toEqual([]);
    expect(screen).not.toMatch(/waiting|[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/);
    // Vitest's own report of the error (with the service's last lines) comes after the block.
    expect(lines.findIndex((l) => l.includes('fatal: something went wrong')), screen).toBeGreaterThan(failed);
    for (const port of [c.apiPort, c.webPort]) expect(await portFreesWithin(port)).toBe(true);
  });
});
