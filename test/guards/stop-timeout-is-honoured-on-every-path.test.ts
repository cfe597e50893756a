/**
 * stopTimeout is the service's own grace, whatever ends the run. A runner that is exiting (a signal no
 * one else handles, process.exit) cannot wait for it: it sends the stop signal, waits at most a second,
 * and the watchdog finishes the escalation — SIGKILL only once the service's stopTimeout has passed,
 * not after the runner's one second.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, expect, it } from 'vitest';
import { freePort, isAlive, portFreesWithin, proc } from '../helpers/os.js';
import { ROOT, SERVICE } from '../helpers/spawn.js';
import { startRunner, type Runner } from '../helpers/runner.js';

const STOP_TIMEOUT_MS = 3000;
let runner: Runner | undefined;
let dir: string | undefined;
afterEach(() => {
  runner?.kill();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/**
 * A runner script that starts one service ignoring SIGTERM (stopTimeout `stopTimeout`), prints its pid,
 * then runs `script`; started. Resolves with the service's leader once it runs, and its port.
 */
async function stubbornRun(stopTimeout: number, script: string): Promise<{ leader: ReturnType<typeof proc>; port: number; run: Runner }> {
  dir = mkdtempSync(join(tmpdir(), 'cleanroom-stoptimeout-'));
  const port = await freePort();
  const file = join(dir, 'runner.mjs');
  writeFileSync(
    file,
    `import { start } from ${JSON.stringify(join(ROOT, 'dist/index.js'))};
const s = await start({ services: { stubborn: { command: [process.execPath, ${JSON.stringify(SERVICE)}], port: ${port}, stopTimeout: ${stopTimeout},
  env: { PORT: '${port}', IGNORE_SIGTERM: '1' } } } });
console.log('TEST RUNNING ' + s.info.stubborn.pid);
${script}
`,
  );
  const run = startRunner(process.execPath, [file], { cwd: dir });
  runner = run;
  await run.waitFor(/TEST RUNNING (\d+)/);
  return { leader: proc(Number(/TEST RUNNING (\d+)/.exec(run.output())![1])), port, run };
}

for (const [how, script] of [
  ['SIGTERM with no other listener', 'setInterval(() => {}, 1000);'],
  ['process.exit() without stop()', "process.on('SIGUSR2', () => process.exit(0)); setInterval(() => {}, 1000);"],
] as const) {
  it(`${how}: a service ignoring SIGTERM lives until its stopTimeout, then the watchdog SIGKILLs it`, async () => {
    const { leader, port, run } = await stubbornRun(STOP_TIMEOUT_MS, script);
    expect(isAlive(leader)).toBe(true);
    const t0 = performance.now();
    run.signal(how.startsWith('SIGTERM') ? 'SIGTERM' : 'SIGUSR2');
    await run.exited;
    // Until its stopTimeout has passed (less a margin for this poll), nothing may SIGKILL it.
    while (performance.now() - t0 < STOP_TIMEOUT_MS - 300) {
      expect(isAlive(leader), `SIGKILLed ${Math.round(performance.now() - t0)} ms after the runner was told to end, before its stopTimeout (${STOP_TIMEOUT_MS} ms)`).toBe(true);
      await sleep(20);
    }
    // ...and then it goes, with its port.
    const deadline = t0 + STOP_TIMEOUT_MS + 5000;
    while (isAlive(leader) && performance.now() < deadline) await sleep(20);
    expect(isAlive(leader), `still alive ${Math.round(performance.now() - t0)} ms after the runner ended`).toBe(false);
    expect(await portFreesWithin(port)).toBe(true);
  });
}

it('Ctrl+C, then the runner exits 2 s later: the stopTimeout counts from the signal, not from the exit', async () => {
  const stopTimeout = 4000;
  const exitAfter = 2000;
  const { leader, port, run } = await stubbornRun(
    stopTimeout,
    // The runner's own SIGINT handling (as a test runner's): it exits a while after the signal, without stop().
    `process.on('SIGINT', () => setTimeout(() => process.exit(0), ${exitAfter})); setInterval(() => {}, 1000);`,
  );
  const t0 = performance.now();
  run.signal('SIGINT');
  await run.exited;
  while (performance.now() - t0 < stopTimeout - 300) {
    expect(isAlive(leader), `SIGKILLed ${Math.round(performance.now() - t0)} ms after Ctrl+C, before its stopTimeout (${stopTimeout} ms)`).toBe(true);
    await sleep(20);
  }
  // Counted from the exit instead, it would live until ~exitAfter + stopTimeout (6 s).
  const deadline = t0 + stopTimeout + 1200;
  while (isAlive(leader) && performance.now() < deadline) await sleep(20);
  expect(isAlive(leader), `still alive ${Math.round(performance.now() - t0)} ms after Ctrl+C (stopTimeout ${stopTimeout} ms)`).toBe(false);
  expect(await portFreesWithin(port)).toBe(true);
});
