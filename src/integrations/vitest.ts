/**
 * Vitest integration: `test: { globalSetup: ['cleanroom-e2e/vitest'] }`.
 * Starts every service before the tests, provides `{ [name]: { url, port, pid } }` as
 * `inject('cleanroom')`, sets CLEANROOM_<NAME>_URL/_PORT, and stops everything in teardown.
 */
import type {} from './vitest-context.js';
import { endRunnerChildrenOnSignal } from '../guards/runner-children.js';
import { start } from '../run/start.js';
import type { ServicesInfo } from '../run/service-env.js';
import { throwIfRunFailed } from './failures.js';
import { loadForRunner } from './load-for-runner.js';

/** The part of Vitest's globalSetup argument we use (TestProject in Vitest 3+, GlobalSetupContext before). */
interface VitestSetupContext {
  provide(key: 'cleanroom', value: ServicesInfo): void;
  config?: { root?: string };
}

/** Vitest globalSetup: start the services; the returned function is Vitest's teardown. */
export default async function setup(ctx: VitestSetupContext): Promise<() => Promise<void>> {
  // When only Vitest's pid is signalled, its pool worker keeps running the current test: end it too.
  endRunnerChildrenOnSignal((command) => /[/\\]vitest[/\\]dist[/\\]workers[/\\]/.test(command));
  const services = await start(await loadForRunner(ctx.config?.root));
  ctx.provide('cleanroom', services.info);
  Object.assign(process.env, services.env);
  return async () => {
    throwIfRunFailed(await services.stop());
  };
}
