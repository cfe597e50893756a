/**
 * The environment a service inherits: the runner's, without what the test runner injected into its
 * own process, so a service behaves the same under Vitest, Playwright, `cleanroom run` or a script.
 *
 * Measured (Vitest 4.1, Playwright 1.65): Vitest sets TEST=true and VITEST=true (overwriting), NODE_ENV=test
 * when unset, and Vite's MODE=test, DEV=1, PROD='', BASE_URL=/; Playwright sets PLAYWRIGHT_TEST=1.
 * Such a key gets the value it had when the runner process started (its initial environment, from the
 * OS), or none: the user's own `NODE_ENV=production vitest` is kept. The service's `env` wins over all.
 */
import { initialEnvironment } from '../os/process-table.js';

/** Keys a test runner sets in its own process, by the marker that says that runner did. */
const INJECTED: Array<{ marker: string; keys: RegExp }> = [
  { marker: 'VITEST', keys: /^(VITEST(_.*)?|TEST|NODE_ENV|MODE|DEV|PROD|BASE_URL|SSR)$/ },
  { marker: 'PLAYWRIGHT_TEST', keys: /^PLAYWRIGHT_TEST$/ },
];

/** What Vitest sets these to: used only where the initial environment cannot be read. */
const VITEST_VALUES: Record<string, string> = { TEST: 'true', VITEST: 'true', NODE_ENV: 'test', MODE: 'test', DEV: '1', PROD: '', BASE_URL: '/' };

/** process.env without what a test runner injected into this process. */
export function inheritedEnv(): NodeJS.ProcessEnv {
  const initial = initialEnvironment(process.pid);
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const { marker, keys } of INJECTED) {
    // The marker was set after this process started: this process runs inside that runner.
    if (env[marker] === undefined || initial?.has(marker)) continue;
    for (const key of Object.keys(env)) {
      if (!keys.test(key)) continue;
      if (initial) {
        const was = initial.get(key);
        if (was === undefined) delete env[key];
        else env[key] = was;
      } else if (marker !== 'VITEST' || key.startsWith('VITEST') || VITEST_VALUES[key] === env[key]) {
        delete env[key]; // no initial environment to consult: drop what carries the runner's own values
      }
    }
  }
  return env;
}
