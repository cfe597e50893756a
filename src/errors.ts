/** Errors a user can act on: what failed, which service, what to do next, and the service's first and last lines. */
import { skippedCount } from './spawn/output.js';

export class CleanroomError extends Error {
  override name = 'CleanroomError';
}

/**
 * Bad config (or bad arguments to start() or `cleanroom run`), rejected before anything starts,
 * with every problem listed.
 */
export class ConfigError extends CleanroomError {
  override name = 'ConfigError';
  constructor(
    readonly problems: string[],
    readonly source?: string,
    /** What was wrong, for the first line: "invalid config" unless told (e.g. "invalid arguments to start()"). */
    subject = 'invalid config',
  ) {
    super(
      `cleanroom: ${subject}${source ? ` in ${source}` : ''} (${problems.length} problem${problems.length === 1 ? '' : 's'}); nothing was started:\n` +
        problems.map((p) => `  - ${p}`).join('\n'),
    );
  }
}

/** A service failed to start, or to become ready. */
export class ServiceError extends CleanroomError {
  override name = 'ServiceError';
  constructor(
    readonly service: string,
    readonly reason: string,
    readonly hint: string,
    /** The service's first and last lines (ServiceOutput.excerpt()); undefined when it never ran (a port or config problem). */
    readonly logTail?: string[],
  ) {
    super(formatServiceMessage(service, reason, hint, logTail));
  }
}

/**
 * `logTail` is a ServiceOutput.excerpt(): the first and the last lines, with one skippedLine() between
 * them when some were left out.
 */
export function formatServiceMessage(service: string, reason: string, hint: string, logTail?: string[]): string {
  if (!logTail) return `cleanroom: service "${service}" ${reason}\n  ${hint}`;
  return `cleanroom: service "${service}" ${reason}\n  ${hint}${describeExcerpt(service, logTail)}`;
}

function describeExcerpt(service: string, lines: string[]): string {
  if (lines.length === 0) return `\n  (${service} printed nothing)`;
  const at = lines.findIndex((l) => skippedCount(l) !== undefined);
  const plural = (n: number) => `${n} line${n === 1 ? '' : 's'}`;
  const title =
    at < 0
      ? `${lines.length === 1 ? 'the only line' : `all ${plural(lines.length)}`} from ${service}`
      : `first ${at} and last ${lines.length - at - 1} of ${lines.length - 1 + skippedCount(lines[at]!)!} lines from ${service}`;
  return `\n  ${title}:\n${lines.map((l) => `    | ${l}`).join('\n')}`;
}

/** The run was interrupted (Ctrl+C, a signal, the runner exiting) while the services were starting. */
export class InterruptedError extends CleanroomError {
  override name = 'InterruptedError';
  constructor(
    readonly signal: NodeJS.Signals | 'exit',
    stopped: string[],
  ) {
    super(
      `cleanroom: ${signal === 'exit' ? 'the runner exited' : `interrupted by ${signal}`} while the services were starting; ` +
        (stopped.length ? `everything started so far was stopped (${stopped.join(', ')})` : 'nothing had been started yet') +
        '. No service failed.',
    );
  }
}
