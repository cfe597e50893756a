import { CleanroomError } from '../errors.js';
import type { StopSummary } from '../run/start.js';

/**
 * Makes the run end non-zero when a service died during it or a port could not be freed.
 * Throwing alone is not enough: Vitest 4 prints a teardown error ("error during close") but still
 * exits 0. So the exit code is also forced, in 'exit', where a listener may still change it.
 */
export function throwIfRunFailed(summary: StopSummary): void {
  const problems = [
    ...summary.failures.map((f) => `service "${f.service}" ${f.reason} while the tests were running`),
    ...summary.portsHeld.map((p) => `port ${p} is still held after teardown`),
    ...summary.left.map((p) => `pid ${p.pid} (${p.command || '?'}) of this run is still running after teardown`),
  ];
  if (problems.length === 0) return;
  process.exitCode = 1;
  process.once('exit', (code) => {
    if (!code) process.exitCode = 1;
  });
  throw new CleanroomError(`cleanroom: the run failed:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
}
