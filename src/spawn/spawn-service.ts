/**
 * Starts one service in its own process group (a new session), tagged with the run id so that every
 * descendant can be found later, even one that leaves the group.
 *
 * execa does the spawning (PATH with node_modules/.bin, shell handling, clear spawn errors); it does
 * none of the killing: its `cleanup` is skipped for detached children and its kill() reaches only the
 * group leader (see stop/).
 */
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa, type ResultPromise } from 'execa';
import type { ResolvedService } from '../config/resolve.js';
import { processInfo } from '../os/process-table.js';
import { tagEnv } from './tag-env.js';
import { ServiceOutput } from './output.js';
import { inheritedEnv } from './runner-env.js';

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be started at all (e.g. ENOENT). */
  error?: Error;
}

export interface SpawnedService {
  name: string;
  pid: number;
  startTime: number;
  output: ServiceOutput;
  /** Resolves when the group leader exits, after its last output (at most DRAIN_MS more: never waits for a pipe a grandchild holds). */
  exited: Promise<ExitInfo>;
  /** Set once the leader has exited (and its last output was read, or DRAIN_MS passed). */
  exitInfo?: ExitInfo;
  /** Stops reading output; call after the tree is gone so a leftover pipe cannot hold the runner. */
  release(): void;
}

/**
 * How long an exit waits for the service's last output: the 'exit' event can come before the pipes'
 * last data (a process that prints one line and dies at once), and a message without that line says
 * nothing. Bounded: a grandchild may keep the pipes open for ever.
 */
const DRAIN_MS = 100;

function ended(stream: Readable | null | undefined): Promise<void> {
  if (!stream || stream.readableEnded || stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    stream.once('end', resolve);
    stream.once('close', resolve);
  });
}

export function describeExit(e: ExitInfo): string {
  if (e.error) return `could not be started: ${e.error.message}`;
  if (e.signal) return `was killed by ${e.signal}`;
  return `exited with code ${e.code}`;
}

/** `logFile`: also append every output line there (ops: services of `cleanroom up`). */
export function spawnService(svc: ResolvedService, runId: string, verbose: boolean, logFile?: string): SpawnedService {
  const output = new ServiceOutput(svc.name, verbose, logFile);
  // The runner's environment minus what a test runner injected (runner-env.ts), then the service's own.
  const env = { ...inheritedEnv(), ...svc.env, ...tagEnv(runId, svc.name) };
  const options = {
    cwd: svc.cwd,
    env,
    extendEnv: false,
    detached: true, // own session and process group: one kill(-pgid) reaches the whole tree
    cleanup: false, // we do our own cleanup (execa skips it for detached children anyway)
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
    buffer: false,
    reject: false,
    preferLocal: true,
  } as const;
  const child: ResultPromise =
    typeof svc.command === 'string'
      ? execa(svc.command, { ...options, shell: true })
      : execa(svc.command[0]!, svc.command.slice(1), options);
  child.catch(() => {}); // failures are reported through `exited`; keep execa's promise from rejecting unhandled

  const pid = child.pid ?? -1;
  const startTime = pid > 0 ? (processInfo(pid)?.startTime ?? Number.NaN) : Number.NaN;
  output.attach(child.stdout);
  output.attach(child.stderr);

  const spawned: SpawnedService = {
    name: svc.name,
    pid,
    startTime,
    output,
    exited: new Promise<ExitInfo>((resolve) => {
      // 'exit', not 'close': 'close' waits for every holder of the pipes, which may be a grandchild.
      // Then its last output, for at most DRAIN_MS.
      child.once('exit', (code, signal) => {
        const drained = Promise.all([ended(child.stdout), ended(child.stderr)]);
        void Promise.race([drained, sleep(DRAIN_MS, undefined, { ref: false })]).then(() => resolve((spawned.exitInfo = { code, signal })));
      });
      child.once('error', (error) => {
        if (pid <= 0 || !processInfo(pid)) resolve((spawned.exitInfo = { code: null, signal: null, error }));
      });
    }),
    release() {
      child.stdout?.destroy();
      child.stderr?.destroy();
      output.close();
      child.unref();
    },
  };
  return spawned;
}
