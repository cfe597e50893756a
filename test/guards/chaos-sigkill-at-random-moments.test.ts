/**
 * Chaos: real runners with the fixture services, SIGKILLed at a random moment (start-up, tests,
 * teardown; the runner alone or its whole group). Afterwards nothing tagged by the run may be alive
 * and every port must be free. CI runs a modest count; CLEANROOM_CHAOS_RUNS=200 runs more.
 */
import { afterEach, describe, expect, inject, it } from 'vitest';
import { makeCase, VITEST_BIN, writeApiScript, writeVitestSuite } from '../helpers/cases.js';
import { portFreesWithin, processesOfRunner, survivors } from '../helpers/os.js';
import { startRunner, type Runner } from '../helpers/runner.js';

const RUNS = Number(process.env.CLEANROOM_CHAOS_RUNS ?? 8);
let runner: Runner | undefined;
afterEach(() => runner?.kill());

/** Where the run really was when it was killed, from what it had printed. */
function phaseOf(out: string): string {
  if (/stopped \d+ service/.test(out)) return 'after teardown';
  if (/TEST RUNNING/.test(out)) return 'tests or teardown';
  if (/ready on/.test(out)) return 'start-up (some ready)';
  return 'start-up (none ready)';
}

describe('chaos: SIGKILL of the runner at a random moment', () => {
  const phases: Record<string, number> = {};
  let ran = 0;
  for (let i = 0; i < RUNS; i++) {
    const entry = i % 2 === 0 ? 'start()' : 'vitest';
    const target = i % 4 < 2 ? 'pid' : 'group';
    const aim = (['start-up', 'tests', 'teardown'] as const)[i % 3]!;
    it(`run ${i + 1}/${RUNS}: ${entry}, runner ${target}, aiming at ${aim}`, { timeout: 30_000 }, async () => {
      // In teardown the api ignores SIGTERM for its stopTimeout (1 s), so teardown lasts long enough to hit.
      const c = await makeCase(inject('consumerDir'), `chaos-${i}`, {
        apiEnv: aim === 'teardown' ? { IGNORE_SIGTERM: '1' } : {},
        serviceExtra: { stopTimeout: 1000 },
      });
      if (entry === 'start()') {
        runner = startRunner(process.execPath, [writeApiScript(c)], { cwd: c.dir, env: { MODE: 'using' } });
      } else {
        writeVitestSuite(c);
        runner = startRunner(process.execPath, [VITEST_BIN, 'run'], { cwd: c.dir, env: { HANG_MS: '300' } });
      }
      ran++;
      const r = runner;
      const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));
      if (aim === 'start-up') await r.waitFor(/ready on|TEST RUNNING/).then(() => sleep(Math.random() * 100)).catch(() => {});
      else await r.waitFor(/TEST RUNNING/).then(() => sleep(aim === 'tests' ? Math.random() * 250 : 300 + Math.random() * 700));
      const phase = phaseOf(r.output());
      phases[`${aim}: ${phase}`] = (phases[`${aim}: ${phase}`] ?? 0) + 1;
      // What exists now, found by tag, before the kill (may be empty early in start-up).
      const before = processesOfRunner(r.pid);
      if (target === 'pid') r.signal('SIGKILL');
      else r.signalGroup('SIGKILL');
      await r.exited;
      const left = await survivors([...before, ...processesOfRunner(r.pid)], 3000);
      // A process spawned in the instant of the kill appears after the first scan: look once more.
      const late = await survivors(processesOfRunner(r.pid), 3000);
      expect([...left, ...late], `phase: ${phase}; output:\n${r.output()}`).toEqual([]);
      expect(await portFreesWithin(c.apiPort), `api port; phase: ${phase}`).toBe(true);
      expect(await portFreesWithin(c.webPort), `web port; phase: ${phase}`).toBe(true);
    });
  }
  it('report: every run that started was killed and its phase recorded', () => {
    const killed = Object.values(phases).reduce((a, b) => a + b, 0);
    console.log(`chaos: ${killed} SIGKILLs of ${ran} runs, by aim and by what the runner had printed: ${JSON.stringify(phases)}`);
    expect(ran, 'no chaos run took place (filtered out?): this report would prove nothing').toBeGreaterThan(0);
    expect(killed).toBe(ran);
  });
});
