/**
 * The live start-up block for a terminal: one line per service, rewritten in place (log-update) while
 * it waits, with a ticking elapsed time; when start-up is over it stops and stays on screen as its
 * final state. Anything else written to the terminal meanwhile (--verbose output, a warning, a
 * console.log) is printed above the block instead of being overwritten by it.
 */
import { firstLine, readyText } from './plain.js';
import type { StartupReporter } from './reporter.js';
import type { Colors } from './terminal.js';

type LogUpdate = ReturnType<(typeof import('log-update'))['createLogUpdate']>;
type Write = NodeJS.WriteStream['write'];

/** The terminal stream the block is drawn on (process.stderr). */
export interface LiveStream extends NodeJS.WritableStream {
  isTTY?: boolean;
  columns?: number;
  write: Write;
}

export interface LiveOptions {
  /** How often the elapsed time and spinner tick. */
  tickMs?: number;
}

interface Row {
  state: 'waiting' | 'ready' | 'reused' | 'failed';
  /** When it started waiting (performance.now()). */
  since: number;
  /** What it waits for, the ready text, or the reason. */
  text: string;
  url?: string;
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** A reporter that draws the live block on `stream` (a TTY). */
export function liveReporter(stream: LiveStream, colors: Colors, options: LiveOptions = {}): StartupReporter {
  const rows = new Map<string, Row>();
  let draw: LogUpdate | undefined;
  let finished = false;
  let spin = 0;
  let timer: NodeJS.Timeout | undefined;
  let exitHooked = false;
  /** True while the block itself is being written (our own writes pass the interception). */
  let own = false;
  /** Someone wrote a partial line: the block is not drawn after it until the line is complete. */
  let midLine = false;
  const intercepted = new Map<LiveStream, { original: Write; wrapper: Write }>();

  // log-update (and what it pulls in) costs ~70 ms to import: loaded only here, when a terminal is
  // used, and while start() is busy reaping and spawning. Until it is there nothing is drawn; if it
  // never loads, done() prints the final lines plainly.
  void import('log-update').then(
    (m) => {
      if (finished) return;
      draw = m.createLogUpdate(stream as NodeJS.WriteStream, { showCursor: true });
      render();
    },
    () => {},
  );

  const asOwn = (fn: () => void) => {
    own = true;
    try {
      fn();
    } finally {
      own = false;
    }
  };

  // Other writers to the terminal (this stream, and stdout/stderr when they are terminals too): the
  // block is cleared, their text written, and the block drawn again below it.
  const intercept = () => {
    for (const s of new Set<LiveStream>([stream, process.stdout, process.stderr])) {
      if (!s.isTTY || intercepted.has(s)) continue;
      const original = s.write;
      const wrapper = function (this: unknown, ...args: Parameters<Write>): boolean {
        if (own || finished || !draw) return Reflect.apply(original, s, args) as boolean;
        asOwn(() => draw!.clear());
        const result = Reflect.apply(original, s, args) as boolean;
        midLine = !endsWithNewline(args[0]);
        render();
        return result;
      } as Write;
      intercepted.set(s, { original, wrapper });
      s.write = wrapper;
    }
  };
  const restore = () => {
    // If someone wrapped write after us, ours stays in their chain, passing everything through.
    for (const [s, { original, wrapper }] of intercepted) if (s.write === wrapper) s.write = original;
    intercepted.clear();
  };

  const line = (name: string, row: Row, width: number, pad: number, pending?: string): string => {
    const secs = `${((performance.now() - row.since) / 1000).toFixed(1)} s`;
    let icon: string;
    let paint: (s: string) => string;
    let body: string;
    let extra = '';
    switch (row.state) {
      case 'waiting':
        if (pending) {
          [icon, paint, body, extra] = ['-', colors.yellow, `${pending} after ${secs}`, `while waiting for ${row.text}`];
        } else {
          [icon, paint, body, extra] = [SPINNER[spin % SPINNER.length]!, colors.cyan, `waiting ${secs}`, `for ${row.text}`];
        }
        break;
      case 'ready':
        [icon, paint, body, extra] = ['✔', colors.green, row.text, row.url ?? ''];
        break;
      case 'reused':
        [icon, paint, body, extra] = ['↺', colors.green, 'reused what already answers', row.url ?? ''];
        break;
      case 'failed':
        [icon, paint, body] = ['✖', colors.red, `failed: ${row.text}`];
        break;
    }
    const head = `cleanroom: ${icon} ${name.padEnd(pad)}  `;
    // One screen line per service: what does not fit is cut, not wrapped.
    let rest = extra ? `${body}  ${extra}` : body;
    const room = Math.max(10, width - 1 - head.length);
    if (rest.length > room) rest = `${rest.slice(0, room - 1)}…`;
    const b = rest.slice(0, body.length);
    const e = rest.slice(body.length);
    return `${colors.dim('cleanroom:')} ${paint(icon)} ${colors.bold(name.padEnd(pad))}  ${row.state === 'failed' ? colors.red(b) : b}${colors.dim(e)}`;
  };

  const frame = (pending?: string): string => {
    const width = stream.columns || 80;
    const pad = Math.max(...[...rows.keys()].map((n) => n.length));
    return [...rows].map(([name, row]) => line(name, row, width, pad, pending)).join('\n');
  };

  const render = () => {
    if (!draw || finished || midLine || rows.size === 0) return;
    intercept();
    asOwn(() => draw!(frame()));
  };

  const stopTimer = () => {
    if (timer) clearInterval(timer);
    timer = undefined;
  };
  const anyWaiting = () => [...rows.values()].some((r) => r.state === 'waiting');

  /** Leaves the block as its final state; rows still waiting are labelled `pending`. */
  const finish = (pending: string) => {
    if (finished) return;
    stopTimer();
    process.removeListener('exit', onExit);
    if (rows.size) {
      const text = frame(pending);
      asOwn(() => {
        if (draw) {
          if (midLine) stream.write('\n');
          draw(text);
          draw.done();
        } else {
          stream.write(`${text}\n`);
        }
      });
    }
    finished = true;
    restore();
  };
  // The runner may exit during start-up (Vitest calls process.exit() on Ctrl+C): leave a final state.
  const onExit = () => finish('interrupted');

  const set = (service: string, row: Omit<Row, 'since'>) => {
    if (finished) return;
    rows.set(service, { since: rows.get(service)?.since ?? performance.now(), ...row });
    if (row.state === 'waiting' && !timer) {
      timer = setInterval(() => {
        spin++;
        render();
      }, options.tickMs ?? 100);
      timer.unref(); // never keeps the runner alive
      // First in line, so that a runner's exit handler that flushes its buffered output has ours too.
      if (!exitHooked) process.prependOnceListener('exit', onExit);
      exitHooked = true;
    }
    if (!anyWaiting()) stopTimer();
    render();
  };

  return {
    waiting: (service, waitingFor) => set(service, { state: 'waiting', text: waitingFor }),
    ready: (service, ms, url) => set(service, { state: 'ready', text: readyText(ms, url), ...(url && { url }) }),
    reused: (service, url) => set(service, { state: 'reused', text: '', url }),
    failed: (service, reason) => set(service, { state: 'failed', text: firstLine(reason) }),
    done: () => finish('cancelled'),
    stopped: (summary) => {
      finish('cancelled');
      // The empty line is for reporters that redraw their last line: Playwright's `line` reporter
      // erases the line above its summary (its status line), which would otherwise be this one.
      stream.write(`${colors.dim('cleanroom:')} ${summary}\n\n`);
    },
  };
}

function endsWithNewline(chunk: unknown): boolean {
  if (typeof chunk === 'string') return chunk.endsWith('\n');
  if (chunk instanceof Uint8Array) return chunk[chunk.length - 1] === 10;
  return true;
}
