/**
 * Playwright integration: `globalSetup: 'cleanroom-e2e/playwright'`.
 * Starts every service, exports CLEANROOM_<NAME>_URL/_PORT to the workers' environment, and returns
 * the teardown (Playwright runs it after the tests, and on Ctrl+C).
 */
import { dirname } from 'node:path';
import { start } from '../run/start.js';
import { forRunner, throwIfRunFailed } from './failures.js';
import { loadForRunner } from './load-for-runner.js';
import { trace } from '../run/trace.js';

/** The part of Playwright's FullConfig we use. */
interface PlaywrightConfig {
  configFile?: string;
  rootDir?: string;
}

/** Playwright globalSetup: start the services; the returned function is the teardown. */
export default async function globalSetup(config?: PlaywrightConfig): Promise<() => Promise<void>> {
  trace('playwright globalSetup called');
  const root = config?.configFile ? dirname(config.configFile) : config?.rootDir;
  let services;
  try {
    services = await start(await loadForRunner(root), {
      // A service died (onServiceExit: 'end-run'): interrupt the run as Ctrl+C would; Playwright marks the
      // running tests interrupted, starts no more, and runs the teardown, which fails the run.
      endRun: () => process.kill(process.pid, 'SIGINT'),
    });
  } catch (err) {
    throw forRunner(err); // Playwright prints the message alone and exits 1
  }
  // Workers are forked after globalSetup and inherit the runner's environment.
  Object.assign(process.env, services.env);
  return async () => {
    throwIfRunFailed(await services.stop());
  };
}
