/**
 * A service gets the same environment whatever started cleanroom: what a test runner injects into
 * its own process (Vitest: VITEST, TEST, NODE_ENV=test when unset, Vite's MODE/DEV/PROD/BASE_URL;
 * Playwright: PLAYWRIGHT_TEST) is not passed on; the user's own environment and the service's `env`
 * are. Real Vitest, real Playwright, and a plain script using start().
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { makeCase, PLAYWRIGHT_BIN, VITEST_BIN, writeApiScript, writePlaywrightSuite, writeVitestSuite } from '../helpers/cases.js';
import { shellStatus, startRunner, type Runner } from '../helpers/runner.js';
import { afterEach } from 'vitest';

let runner: Runner | undefined;
afterEach(() => runner?.kill());

const RUNNER_KEYS = /^(VITEST.*|TEST|NODE_ENV|DEV|PROD|BASE_URL|SSR|PLAYWRIGHT_TEST)$/;
/** Set by cleanroom for each run, so their values (not their presence) differ between runs. */
const PER_RUN = /^CLEANROOM_(RUN_ID|RUNNER)$/;

async function serviceEnv(kind: 'vitest' | 'playwright' | 'api', runnerEnv: Record<string, string | undefined> = {}): Promise<Record<string, string>> {
  const c = await makeCase(inject('consumerDir'), `env-${kind}`, { apiEnv: { ENV_DUMP: 'api-env.json', MODE: 'from-config' } });
  let args: string[];
  if (kind === 'vitest') {
    writeVitestSuite(c);
    args = [VITEST_BIN, 'run'];
  } else if (kind === 'playwright') {
    writePlaywrightSuite(c);
    args = [PLAYWRIGHT_BIN, 'test'];
  } else {
    args = [writeApiScript(c)];
  }
  runner = startRunner(process.execPath, args, { cwd: c.dir, env: { MODE: kind === 'api' ? 'using' : undefined, USER_MARK: 'kept', ...runnerEnv } });
  const exit = await runner.exited;
  expect(shellStatus(exit), runner.output()).toBe(0);
  return JSON.parse(readFileSync(join(c.dir, 'api-env.json'), 'utf8')) as Record<string, string>;
}

describe('the service environment', () => {
  it('is the same under Vitest, Playwright and start(): nothing a runner injected, the user\'s env and the service\'s env', async () => {
    const vitest = await serviceEnv('vitest');
    const playwright = await serviceEnv('playwright');
    const api = await serviceEnv('api');
    for (const [name, env] of Object.entries({ vitest, playwright, api })) {
      expect(Object.keys(env).filter((k) => RUNNER_KEYS.test(k)), name).toEqual([]);
      expect(env.USER_MARK, name).toBe('kept');
      expect(env.MODE, `${name}: the service's env wins over what Vitest injected`).toBe('from-config');
    }
    const keys = (env: Record<string, string>) => Object.keys(env).filter((k) => !PER_RUN.test(k)).sort();
    expect(keys(vitest)).toEqual(keys(api));
    expect(keys(playwright)).toEqual(keys(api));
  });

  it("under Vitest, the user's own NODE_ENV and TEST are kept", async () => {
    const env = await serviceEnv('vitest', { NODE_ENV: 'production', TEST: 'mine' });
    expect(env.NODE_ENV).toBe('production');
    expect(env.TEST).toBe('mine');
    expect(env.VITEST).toBeUndefined();
  });
});
