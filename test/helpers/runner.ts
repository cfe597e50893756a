/**
 * Runs a real test runner (or any command) as a user would, in a process group the test created, so
 * the test can signal its pid alone or its whole group (what a terminal's Ctrl+C does).
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface Runner {
  child: ChildProcess;
  pid: number;
  output(): string;
  /** Resolves when the combined output matches. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Signals the runner's pid only (an IDE, a process manager). */
  signal(sig: NodeJS.Signals): void;
  /** Signals the runner's whole process group (a terminal's Ctrl+C). */
  signalGroup(sig: NodeJS.Signals): void;
  /** Last resort for the test's own cleanup: SIGKILL the group this test created. */
  kill(): void;
}

export function startRunner(command: string, args: string[], opts: { cwd: string; env?: Record<string, string | undefined> }): Runner {
  const env: Record<string, string | undefined> = { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' };
  // The runner must not inherit our own test run's state (what our own Vitest and Vite injected included).
  for (const k of Object.keys(env)) {
    if (k.startsWith('VITEST') || ['TEST', 'NODE_OPTIONS', 'MODE', 'DEV', 'PROD', 'BASE_URL', 'SSR'].includes(k) || (k === 'NODE_ENV' && env[k] === 'test')) delete env[k];
  }
  Object.assign(env, opts.env);
  const child = spawn(command, args, { cwd: opts.cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const waiters = new Set<() => void>();
  const onData = (d: Buffer) => {
    out += d.toString();
    for (const w of waiters) w();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const pid = child.pid!;
  return {
    child,
    pid,
    output: () => out,
    waitFor(pattern, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (pattern.test(out)) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve();
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for ${pattern}; output so far:\n${out}`));
        }, timeoutMs);
        waiters.add(check);
        void exited.then(() => {
          if (waiters.has(check)) {
            check();
            if (waiters.has(check)) {
              waiters.delete(check);
              clearTimeout(timer);
              reject(new Error(`runner exited before ${pattern}; output:\n${out}`));
            }
          }
        });
        check();
      });
    },
    exited,
    signal: (sig) => {
      try {
        process.kill(pid, sig);
      } catch {
        /* gone */
      }
    },
    signalGroup: (sig) => {
      try {
        process.kill(-pid, sig);
      } catch {
        /* gone */
      }
    },
    kill: () => {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    },
  };
}

/** Exit status as a shell reports it: code, or 128 + signal number. */
export function shellStatus(e: { code: number | null; signal: NodeJS.Signals | null }): number {
  if (e.code !== null) return e.code;
  const n: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };
  return 128 + (n[e.signal ?? ''] ?? 0);
}
