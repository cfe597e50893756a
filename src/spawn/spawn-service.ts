/**
 * Starts one service in its own process group (a new session), tagged with the run id so that every
 * descendant can be found later, even one that leaves the group.
 *
 * node:child_process does the spawning, with node_modules/.bin on PATH (local-env.ts). execa did it
 * before, but importing execa costs ~120 ms on this machine (measured: bench/, "import cost"), more than
 * half of what a Vitest globalSetup pays for cleanroom before its first spawn, and we used none of
 * what it adds: its `cleanup` is skipped for detached children and its kill() reaches only the group
 * leader (stop/ does the killing). Behaviour kept: a string command runs through /bin/sh (as execa's
 * `shell: true`), an array is exec'd directly; a spawn error (ENOENT...) is reported through `exited`.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ResolvedService } from '../config/resolve.js';
import { processInfo } from '../os/process-table.js';
import { localEnv } from './local-env.js';
import { ServiceOutput } from './output.js';
import { tagEnv } from './tag-env.js';

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

/** `logFile`: also append every output line there (the services of `cleanroom up`). */
export function spawnService(svc: ResolvedService, runId: string, verbose: boolean, logFile?: string): SpawnedService {
  const output = new ServiceOutput(svc.name, verbose, logFile);
  const env = localEnv(svc.cwd, { ...svc.env, ...tagEnv(runId, svc.name) });
  const options: SpawnOptions = {
    cwd: svc.cwd,
    env,
    detached: true, // own session and process group: one kill(-pgid) reaches the whole tree
    stdio: ['ignore', 'pipe', 'pipe'],
  };
  const child: ChildProcess =
    typeof svc.command === 'string'
      ? spawn(svc.command, { ...options, shell: true })
      : spawn(svc.command[0]!, svc.command.slice(1), options);
  // Without a listener, a spawn error (ENOENT...) would be thrown as an uncaught 'error' event.
  child.on('error', () => {});

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
