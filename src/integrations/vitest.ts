/**
 * Vitest integration: `test: { globalSetup: ['cleanroom-e2e/vitest'] }`.
 * Starts every service before the tests, provides `{ [name]: { url, port, pid } }` as
 * `inject('cleanroom')`, sets CLEANROOM_<NAME>_URL/_PORT, and stops everything in teardown.
 */
import pc from 'picocolors';
import type {} from './vitest-context.js';
import { endRunnerChildrenOnSignal } from '../guards/runner-children.js';
import { RUNNER_VAR, runnerTag } from '../kill/policy.js';
import { start } from '../run/start.js';
import type { ServicesInfo } from '../run/service-env.js';
import { failTheRun, forRunner, runFailure } from './failures.js';
import { loadForRunner } from './load-for-runner.js';
import { trace } from '../run/trace.js';

/** The part of Vitest's globalSetup argument we use (TestProject in Vitest 3+, GlobalSetupContext before). */
interface VitestSetupContext {
  provide(key: 'cleanroom', value: ServicesInfo): void;
  config?: { root?: string };
  /** Vitest 3+: the running instance (TestProject.vitest). */
  vitest?: { cancelCurrentRun?(reason: string): Promise<void> };
}

/** Vitest globalSetup: start the services; the returned function is Vitest's teardown. */
export default async function setup(ctx: VitestSetupContext): Promise<() => Promise<void>> {
  trace('vitest globalSetup called');
  // When only Vitest's pid is signalled, its pool worker keeps running the current test: end it too.
  // Vitest 4+ workers run vitest/dist/workers/*; Vitest 2 and 3 retitle theirs "node (vitest 1)", which
  // replaces the command line (test/matrix: SIGTERM to a Vitest 2.1/3.2 runner left the worker running).
  endRunnerChildrenOnSignal((command) => /[/\\]vitest[/\\]dist[/\\]workers[/\\]/.test(command) || /^node \(vitest \d+\)\s*$/.test(command));
  // ...and when the runner is SIGKILLed: the pool starts after globalSetup, so its workers inherit this
  // tag, and the watchdog stops whatever carries it once the runner's pipe closes.
  process.env[RUNNER_VAR] = runnerTag();
  let services;
  try {
    services = await start(await loadForRunner(ctx.config?.root), {
      // A service died (onServiceExit: 'end-run'): no further test starts; teardown then fails the run.
      endRun: () => void ctx.vitest?.cancelCurrentRun?.('cleanroom: a service died')?.catch(() => {}),
    });
  } catch (err) {
    throw forRunner(err); // Vitest prints it under "Unhandled Error", message only, and exits 1
  }
  ctx.provide('cleanroom', services.info);
  Object.assign(process.env, services.env);
  return async () => {
    const failure = runFailure(await services.stop());
    if (!failure) return;
    // Thrown here, Vitest would print "error during close" and its inspect() of the error (stack or
    // brackets) and still exit 0: say it plainly, and fail the run ourselves.
    process.stderr.write(`${pc.red(failure.message)}\n`);
    failTheRun();
  };
}
