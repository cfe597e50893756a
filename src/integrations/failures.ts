import { CleanroomError } from '../errors.js';
import type { StopSummary } from '../run/start.js';

/**
 * A cleanroom error made for a test runner to print: its message once and nothing else. Vitest and
 * Playwright print an error's stack frames (and Vitest its own fields, as "Serialized Error"), which
 * for a bad config or a service that would not start is noise around a message that already says
 * what to do (with the service's last lines). Other errors (bugs) keep their stack.
 */
export function forRunner(err: unknown): unknown {
  if (!(err instanceof CleanroomError)) return err;
  // A copy with the message alone: Vitest prints every own field (even non-enumerable ones).
  const plain = new Error(err.message);
  plain.name = err.name;
  plain.stack = `${err.name}: ${err.message}`;
  return plain;
}

/** What went wrong during the run (a service died, a port stayed held), or undefined. */
export function runFailure(summary: StopSummary): CleanroomError | undefined {
  const problems = [
    ...summary.failures.map((f) => `service "${f.service}" ${f.reason} while the tests were running`),
    ...summary.portsHeld.map((p) => `port ${p} is still held after teardown`),
    ...summary.left.map((p) => `pid ${p.pid} (${p.command || '?'}) of this run is still running after teardown`),
  ];
  return problems.length ? new CleanroomError(`cleanroom: the run failed:\n${problems.map((p) => `  - ${p}`).join('\n')}`) : undefined;
}

/**
 * Makes the run end non-zero. A teardown error alone is not enough: Vitest 4 prints it ("error
 * during close") but still exits 0. So the exit code is forced in 'exit', where a listener may still
 * change it.
 */
export function failTheRun(): void {
  process.exitCode = 1;
  process.once('exit', (code) => {
    if (!code) process.exitCode = 1;
  });
}

/** Playwright's teardown: throw (Playwright prints it as "not a part of any test" and exits 1). */
export function throwIfRunFailed(summary: StopSummary): void {
  const failure = runFailure(summary);
  if (!failure) return;
  failTheRun();
  throw forRunner(failure);
}
