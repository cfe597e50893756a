/** Picks how start-up is shown: the live block in a terminal, plain lines everywhere else. */
import type { Logger } from '../run/log.js';
import { liveReporter, type LiveStream } from './live.js';
import { loggerSink, plainReporter, streamSink } from './plain.js';
import type { StartupReporter } from './reporter.js';
import { colorsFor, terminalMode } from './terminal.js';

export interface ReporterOptions {
  /** Where to write (default: process.stderr; cleanroom never writes to stdout). */
  stream?: LiveStream;
  /** Read for CI, NO_COLOR, FORCE_COLOR and TERM (default: process.env). */
  env?: NodeJS.ProcessEnv;
}

/**
 * The live block when `stream` is a terminal (and not CI, NO_COLOR or TERM=dumb); otherwise plain
 * lines with no escape codes (colours only under FORCE_COLOR).
 */
export function createReporter({ stream = process.stderr, env = process.env }: ReporterOptions = {}): StartupReporter {
  const mode = terminalMode(stream, env);
  const colors = colorsFor(mode.colors);
  return mode.live ? liveReporter(stream, colors) : plainReporter(streamSink(stream, colors));
}

/** Plain lines through a custom Logger (what start() uses when given `logger` but no `reporter`). */
export function loggerReporter(logger: Logger): StartupReporter {
  return plainReporter(loggerSink(logger));
}
