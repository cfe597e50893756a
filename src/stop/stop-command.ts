/**
 * A service's stopCommand (`docker compose down`): run at teardown before the stop signal, for
 * services whose real processes a daemon runs outside their tree. It carries none of the run's tags
 * (it is not part of the service, and the stop loop must not stop it), and has its own timeout.
 */
import { spawn, spawnSync } from 'node:child_process';
import { RUNNER_VAR } from '../kill/policy.js';
import { signalGroup } from '../kill/signal.js';
import { RUN_ID_VAR, SERVICE_VAR } from '../os/process-table.js';

export interface StopCommand {
  command: string | string[];
  cwd: string;
  env: Record<string, string>;
  timeout: number;
}

function envOf(sc: StopCommand): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...sc.env };
  for (const k of [RUN_ID_VAR, SERVICE_VAR, RUNNER_VAR]) delete env[k];
  return env;
}

function argvOf(sc: StopCommand): { file: string; args: string[]; shell: boolean } {
  return typeof sc.command === 'string'
    ? { file: sc.command, args: [], shell: true }
    : { file: sc.command[0]!, args: sc.command.slice(1), shell: false };
}

export interface StopCommandOutcome {
  code: number | null;
  timedOut: boolean;
  error?: string;
  /** Its last lines of stderr. */
  tail: string[];
}

/** How many lines of a stopCommand's stderr are kept, for the message when it fails. */
const TAIL_LINES = 10;
/** How long its exit waits for its last stderr. */
const DRAIN_MS = 100;

/** Runs it to its end, or SIGKILLs its group after its timeout. Never rejects: the stop goes on regardless. */
export function runStopCommand(sc: StopCommand): Promise<StopCommandOutcome> {
  const { file, args, shell } = argvOf(sc);
  return new Promise((resolve) => {
    let child;
    try {
      child = spawn(file, args, { cwd: sc.cwd, env: envOf(sc), shell, detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (e) {
      resolve({ code: null, timedOut: false, error: (e as Error).message, tail: [] });
      return;
    }
    let err = '';
    child.stderr?.on('data', (d: Buffer) => {
      err = (err + d.toString('utf8')).slice(-4096);
    });
    const tail = () => err.split(/\r?\n/).filter((l) => l.trim()).slice(-TAIL_LINES);
    const timer = setTimeout(() => {
      if (child.pid) signalGroup(child.pid, 'SIGKILL');
      child.stderr?.destroy();
      resolve({ code: null, timedOut: true, tail: tail() });
    }, sc.timeout);
    child.once('error', (e) => {
      clearTimeout(timer);
      resolve({ code: null, timedOut: false, error: e.message, tail: tail() });
    });
    // Its exit, and then its last stderr for at most DRAIN_MS (a process it left behind may hold the pipe).
    child.once('exit', (code) => {
      clearTimeout(timer);
      const done = () => resolve({ code, timedOut: false, tail: tail() });
      const drain = setTimeout(() => {
        child.stderr?.destroy();
        done();
      }, DRAIN_MS);
      child.once('close', () => {
        clearTimeout(drain);
        done();
      });
    });
  });
}

/** A stopCommand that did not succeed, in words for the teardown's output; undefined when it did. */
export function stopCommandProblem(service: string, sc: StopCommand, r: StopCommandOutcome): string | undefined {
  const what = [sc.command].flat().join(' ');
  const how = r.error ? `could not be run: ${r.error}` : r.timedOut ? `did not finish within its stopCommandTimeout (${sc.timeout} ms) and was killed` : r.code !== 0 ? `exited with code ${r.code}` : undefined;
  if (!how) return undefined;
  return `${service}: its stopCommand (${what}) ${how}; the stop signal was sent all the same.${r.tail.length ? `\n${r.tail.map((l) => `  | ${l}`).join('\n')}` : ''}`;
}

/** The same, synchronously, for an exiting runner that has no watchdog to hand it to. */
export function runStopCommandSync(sc: StopCommand): void {
  const { file, args, shell } = argvOf(sc);
  try {
    spawnSync(file, args, { cwd: sc.cwd, env: envOf(sc), shell, stdio: 'ignore', timeout: sc.timeout, killSignal: 'SIGKILL' });
  } catch {
    /* the stop signal follows regardless */
  }
}
