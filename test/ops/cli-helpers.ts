/**
 * Helpers for the operations CLI tests: a scratch project (config + state folder of its own), the
 * built `cleanroom` CLI run as a real process, and cleanup that only ever kills, by pid, processes
 * carrying this project's TEST_MARK (every service of its config gets one).
 */
import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import { killProcs, processesWithEnv } from '../helpers/api.js';
import { ROOT, SERVICE } from '../helpers/spawn.js';

export const CLI = join(ROOT, 'dist/cli/main.js');

export interface Project {
  dir: string;
  stateDir: string;
  mark: string;
  env: NodeJS.ProcessEnv;
  /** Writes cleanroom.config.mjs; `services` is JS source for the services object (use svc()). */
  writeConfig(services: string, top?: string): void;
}

/** JS source for one fixture service with this extra env and options. */
export function svc(mark: string, opts: { env?: Record<string, string>; port?: number | 'auto'; more?: string } = {}): string {
  const env = { TEST_MARK: mark, ...opts.env };
  const port = opts.port === undefined ? '' : `port: ${JSON.stringify(opts.port)},`;
  return `{ command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(SERVICE)}], ${port} env: ${JSON.stringify(env)}, ${opts.more ?? ''} }`;
}

export function project(): Project {
  const dir = mkdtempSync(join(tmpdir(), 'cleanroom-ops-'));
  const stateDir = join(dir, 'state');
  const mark = randomUUID();
  const env: NodeJS.ProcessEnv = { ...process.env, CLEANROOM_STATE_DIR: stateDir, NO_COLOR: '1' };
  for (const k of ['CLEANROOM_RUN_ID', 'CLEANROOM_SERVICE', 'CLEANROOM_RUNNER', 'CLEANROOM_CONFIG']) delete env[k];
  onTestFinished(async () => {
    // `down` first (the supervisor stops its services), then anything of this test still alive, by pid.
    await cli(['down'], { cwd: dir, env }).catch(() => {});
    killProcs(processesWithEnv('TEST_MARK', mark));
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    dir,
    stateDir,
    mark,
    env,
    writeConfig(services, top = '') {
      writeFileSync(join(dir, 'cleanroom.config.mjs'), `export default { ${top} services: ${services} };\n`);
    },
  };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `cleanroom ARGS` to its end. */
export function cli(args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv }): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd: opts.cwd, env: opts.env, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Starts `cleanroom ARGS` and returns the child (for concurrent runs). */
export function cliProcess(args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv }) {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const done = new Promise<CliResult>((resolve) => child.once('close', (code) => resolve({ code: code ?? 1, stdout, stderr })));
  return { child, done };
}

export interface StatusJson {
  runs: Array<{
    runId: string;
    kind: 'up' | 'test';
    live: boolean;
    runner: { pid: number; command: string };
    cwd: string;
    startedAt: string;
    services: Array<{ name: string; port: number | null; url: string | null; pids: number[]; cpuPercent: number; rssBytes: number; uptimeMs: number }>;
  }>;
  foreign: Array<{ port: number; pid: number; user: string; command: string }>;
}

export async function status(p: Project): Promise<{ code: number; json: StatusJson }> {
  const r = await cli(['status', '--json'], { cwd: p.dir, env: p.env });
  return { code: r.code, json: JSON.parse(r.stdout) as StatusJson };
}
