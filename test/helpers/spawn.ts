/** Processes the tests start themselves, each in a process group of its own that the test may kill. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { canConnect, proc, type Proc } from './os.js';

export const SERVICE = fileURLToPath(new URL('../fixtures/service.mjs', import.meta.url));
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** `node test/fixtures/service.mjs` with these env settings, as a config command. */
export function serviceCommand(): string[] {
  return [process.execPath, SERVICE];
}

export interface Holder extends Proc {
  child: ChildProcess;
  /** Kills the holder's whole group (a group this test created). */
  kill(): void;
}

/**
 * A process that is not cleanroom's (no run tag) listening on `port`, in a new process group, with
 * `children` idle children in the same group. Resolves once the port answers.
 */
export async function startForeignHolder(port: number, children = 0): Promise<Holder> {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), CHILDREN: String(children) };
  for (const k of Object.keys(env)) if (k.startsWith('CLEANROOM_')) delete env[k];
  const child = spawn(process.execPath, [SERVICE], { detached: true, stdio: 'ignore', env });
  const deadline = Date.now() + 10_000;
  while (!(await canConnect('127.0.0.1', port))) {
    if (Date.now() > deadline) throw new Error(`foreign holder did not listen on ${port}`);
    await sleep(10);
  }
  const pid = child.pid!;
  return {
    ...proc(pid),
    child,
    kill() {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    },
  };
}
