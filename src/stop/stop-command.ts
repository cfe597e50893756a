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

/** Runs it to its end, or SIGKILLs its group after its timeout. Never rejects: the stop goes on regardless. */
export function runStopCommand(sc: StopCommand): Promise<{ code: number | null; timedOut: boolean; error?: string }> {
  const { file, args, shell } = argvOf(sc);
  return new Promise((resolve) => {
    let child;
    try {
      child = spawn(file, args, { cwd: sc.cwd, env: envOf(sc), shell, detached: true, stdio: 'ignore' });
    } catch (e) {
      resolve({ code: null, timedOut: false, error: (e as Error).message });
      return;
    }
    const timer = setTimeout(() => {
      if (child.pid) signalGroup(child.pid, 'SIGKILL');
      resolve({ code: null, timedOut: true });
    }, sc.timeout);
    child.once('error', (e) => {
      clearTimeout(timer);
      resolve({ code: null, timedOut: false, error: e.message });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, timedOut: false });
    });
  });
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
