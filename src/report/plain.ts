/**
 * Plain start-up lines, one per event, never rewritten: for pipes, CI logs, NO_COLOR, and a custom
 * Logger. `cleanroom: backend ready on :8000 in 312 ms (http://localhost:8000)`.
 */
import type { Logger } from '../run/log.js';
import { fmtMs } from '../ready/wait-ready.js';
import type { StartupReporter } from './reporter.js';
import type { Colors } from './terminal.js';

/** Where the lines go. `error` is for a failed service. */
export type LineSink = (line: string, level: 'info' | 'error') => void;

/** "ready on :8000 in 312 ms": the port is the URL's (a service with a port always has one). */
export function readyText(ms: number, url?: string): string {
  const port = url ? portOf(url) : undefined;
  return `ready${port ? ` on :${port}` : ''} in ${fmtMs(ms)}`;
}

/** The first line of a reason, for a one-line status. */
export function firstLine(text: string): string {
  return text.split('\n', 1)[0]!.trim();
}

function portOf(url: string): string | undefined {
  try {
    return new URL(url).port || undefined;
  } catch {
    return undefined;
  }
}

/** One plain line per event, to `sink`. */
export function plainReporter(sink: LineSink): StartupReporter {
  return {
    waiting: (service, waitingFor) => sink(`${service} waiting for ${waitingFor}`, 'info'),
    ready: (service, ms, url) => sink(`${service} ${readyText(ms, url)}${url ? ` (${url})` : ''}`, 'info'),
    reused: (service, url) => sink(`${service} reused what already answers${url ? ` at ${url}` : ''}`, 'info'),
    failed: (service, reason) => sink(`${service} failed: ${firstLine(reason)}`, 'error'),
    done() {},
    stopped: (summary) => sink(summary, 'info'),
  };
}

/** Lines to a stream, prefixed `cleanroom:` (coloured only when `colors` is on). */
export function streamSink(stream: NodeJS.WritableStream, colors: Colors): LineSink {
  return (line, level) =>
    void stream.write(level === 'error' ? `${colors.red(`cleanroom: ${line}`)}\n` : `${colors.dim('cleanroom:')} ${line}\n`);
}

/** Lines to a custom Logger (start()'s `logger` option), unprefixed, as its other lines are. */
export function loggerSink(logger: Logger): LineSink {
  return (line, level) => logger[level](line);
}
