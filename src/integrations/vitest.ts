/**
 * Vitest integration: `test: { globalSetup: ['cleanroom-e2e/vitest'] }`.
 * Starts every service before the tests, provides `{ [name]: { url, port, pid } }` as
 * `inject('cleanroom')`, sets CLEANROOM_<NAME>_URL/_PORT, and stops everything in teardown.
 */
import type {} from 'vitest';
import { endRunnerChildrenOnSignal } from '../guards/runner-children.js';
import { start } from '../run/start.js';
import type { ServicesInfo } from '../run/service-env.js';
import { throwIfRunFailed } from './failures.js';
import { loadForRunner } from './load-for-runner.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The services cleanroom started: `inject('cleanroom').backend.url`. */
    cleanroom: ServicesInfo;
  }
}

/** The part of Vitest's globalSetup argument we use (TestProject in Vitest 3+, GlobalSetupContext before). */
interface VitestSetupContext {
  provide(key: 'cleanroom', value: ServicesInfo): void;
  config?: { root?: string };
}

/** Vitest globalSetup: start the services; the returned function is Vitest's teardown. */
export default async function setup(ctx: VitestSetupContext): Promise<() => Promise<void>> {
  // When only Vitest's pid is signalled, its pool worker keeps running the current test: end it too.
  // Vitest 4+ workers run vitest/dist/workers/*; Vitest 2 and 3 retitle theirs "node (vitest 1)", which
  // replaces the command line (test/matrix: SIGTERM to a Vitest 2.1/3.2 runner left the worker running).
  endRunnerChildrenOnSignal((command) => /[/\\]vitest[/\\]dist[/\\]workers[/\\]/.test(command) || /^node \(vitest \d+\)\s*$/.test(command));
  const services = await start(await loadForRunner(ctx.config?.root));
  ctx.provide('cleanroom', services.info);
  Object.assign(process.env, services.env);
  return async () => {
    throwIfRunFailed(await services.stop());
  };
}
