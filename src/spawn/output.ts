/**
 * A service's output: split into lines, kept in a ring buffer for error messages, printed with a
 * `[name]` prefix when verbose, and offered to readiness checks that wait for a log line.
 */
import type { Readable } from 'node:stream';
import { colorsFor, terminalMode } from '../report/terminal.js';

const KEEP_LINES = 200;
export const TAIL_LINES = 20;

const COLORS = ['cyan', 'magenta', 'yellow', 'green', 'blue'] as const;
let nextColor = 0;

export class ServiceOutput {
  private readonly lines: string[] = [];
  private readonly listeners = new Set<(line: string) => void>();
  private readonly prefix: string;

  constructor(
    readonly name: string,
    private readonly verbose: boolean,
  ) {
    // Coloured only where stderr allows it (not in CI, a pipe, or under NO_COLOR).
    const pc = colorsFor(terminalMode(process.stderr).colors);
    this.prefix = pc[COLORS[nextColor++ % COLORS.length] ?? 'cyan'](`[${name}]`);
  }

  /** Reads a stream line by line until it ends or is destroyed. */
  attach(stream: Readable | null | undefined): void {
    if (!stream) return;
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const parts = (partial + chunk).split(/\r?\n/);
      partial = parts.pop() ?? '';
      for (const line of parts) this.push(line);
    });
    stream.on('end', () => {
      if (partial) this.push(partial);
      partial = '';
    });
    stream.on('error', () => {}); // a pipe torn down during stop is not an error worth reporting
  }

  private push(raw: string): void {
    // Strip ANSI colour codes so log patterns and error tails read cleanly.
    // eslint-disable-next-line no-control-regex
    const line = raw.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
    this.lines.push(line);
    if (this.lines.length > KEEP_LINES) this.lines.shift();
    if (this.verbose) process.stderr.write(`${this.prefix} ${raw}\n`);
    for (const fn of this.listeners) fn(line);
  }

  /** Calls `fn` for each new line; returns the unsubscribe function. */
  onLine(fn: (line: string) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** The last `n` non-empty lines. */
  tail(n = TAIL_LINES): string[] {
    return this.lines.filter((l) => l.trim() !== '').slice(-n);
  }
}
