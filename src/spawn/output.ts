/**
 * A service's output: split into lines (`\n`, `\r\n`, and a lone `\r`, which progress bars use), kept
 * for error messages (the first lines for good, the last ones in a ring buffer), printed with a `[name]`
 * prefix when verbose, and offered to readiness checks that wait for a log line.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import type { Readable } from 'node:stream';
import { colorsFor, terminalMode } from '../report/terminal.js';

const KEEP_LINES = 200;
/** The first lines are kept for good: a service's real start-up error is often its first line. */
export const HEAD_LINES = 10;
export const TAIL_LINES = 20;

const COLORS = ['cyan', 'magenta', 'yellow', 'green', 'blue'] as const;
let nextColor = 0;

/** The line that stands for `n` lines left out of an excerpt. */
export function skippedLine(n: number): string {
  return `… ${n} line${n === 1 ? '' : 's'} …`;
}

/** How many lines an excerpt line stands for, when it is a skippedLine(); else undefined. */
export function skippedCount(line: string): number | undefined {
  const m = /^… (\d+) lines? …$/.exec(line);
  return m ? Number(m[1]) : undefined;
}

export class ServiceOutput {
  private readonly head: string[] = [];
  private readonly recent: string[] = [];
  /** Non-empty lines seen in all. */
  private count = 0;
  private readonly listeners = new Set<(line: string) => void>();
  private readonly prefix: string;
  /** The file sink (services of `cleanroom up`): every line, appended, as printed (colours kept). */
  private readonly file: WriteStream | undefined;

  constructor(
    readonly name: string,
    private readonly verbose: boolean,
    logFile?: string,
  ) {
    // Coloured only where stderr allows it (not in CI, a pipe, or under NO_COLOR).
    const pc = colorsFor(terminalMode(process.stderr).colors);
    this.prefix = pc[COLORS[nextColor++ % COLORS.length] ?? 'cyan'](`[${name}]`);
    if (logFile) {
      mkdirSync(dirname(logFile), { recursive: true, mode: 0o700 });
      this.file = createWriteStream(logFile, { flags: 'a', mode: 0o600 });
      this.file.on('error', () => {}); // a full disk must not crash the supervisor; the ring buffer still has the tail
    }
  }

  /** Closes the file sink (after the service is gone). */
  close(): void {
    this.file?.end();
  }

  /** Reads a stream line by line until it ends or is destroyed. */
  attach(stream: Readable | null | undefined): void {
    if (!stream) return;
    let partial = '';
    let endedWithCR = false;
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      // A '\r\n' split across two chunks is one line break, not two.
      if (endedWithCR && chunk.startsWith('\n')) chunk = chunk.slice(1);
      endedWithCR = chunk.endsWith('\r');
      const parts = (partial + chunk).split(/\r\n|\n|\r/);
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
    if (line.trim() !== '') {
      this.count++;
      if (this.head.length < HEAD_LINES) this.head.push(line);
      else {
        this.recent.push(line);
        if (this.recent.length > KEEP_LINES) this.recent.shift();
      }
    }
    if (this.verbose) process.stderr.write(`${this.prefix} ${raw}\n`);
    this.file?.write(`${raw}\n`);
    for (const fn of this.listeners) fn(line);
  }

  /** Calls `fn` for each new line; returns the unsubscribe function. */
  onLine(fn: (line: string) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Every non-empty line still kept (the first ones, then the most recent), oldest first. */
  kept(): string[] {
    return [...this.head, ...this.recent];
  }

  /**
   * For error messages: the first HEAD_LINES and the last TAIL_LINES non-empty lines; when lines
   * lie between them, one skippedLine() says how many.
   */
  excerpt(): string[] {
    if (this.count <= HEAD_LINES + TAIL_LINES) return this.kept().slice(-this.count);
    const tail = this.recent.slice(-TAIL_LINES);
    return [...this.head, skippedLine(this.count - HEAD_LINES - tail.length), ...tail];
  }
}
