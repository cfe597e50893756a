/**
 * `cleanroom up [NAME…]`: start the configured services in the background, under a detached
 * supervisor (`cleanroom __supervise`), and return once they are ready, printing each name and URL.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, closeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { findConfigFile, loadConfig } from '../config/load.js';
import { CleanroomError } from '../errors.js';
import { RUNNER_VAR } from '../kill/policy.js';
import { RUN_ID_VAR, SERVICE_VAR } from '../os/process-table.js';
import { newRunId } from '../run/run-id.js';
import { withDependencies, type Handshake, type UpServiceInfo } from '../ops/supervisor.js';
import { liveUpServices, logDir, requireStateDir, supervisorLogFile } from '../ops/up-runs.js';
import { err, out, table } from './style.js';

export function unknownNames(names: string[], known: string[]): void {
  const bad = names.filter((n) => !known.includes(n));
  if (bad.length) {
    throw new CleanroomError(`cleanroom: unknown service${bad.length === 1 ? '' : 's'} ${bad.map((b) => `"${b}"`).join(', ')} (the config has: ${known.join(', ')})`);
  }
}

function tailOf(file: string, n = 15): string {
  try {
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    return lines.slice(-n).map((l) => `    | ${l}`).join('\n');
  } catch {
    return '    (no supervisor log)';
  }
}

export async function upCommand(names: string[], opts: { config?: string }): Promise<number> {
  const file = findConfigFile(opts.config);
  const cfg = await loadConfig(file); // a bad config is reported here, before anything runs
  unknownNames(names, cfg.services.map((s) => s.name));
  requireStateDir();
  const wanted = withDependencies(cfg, names).map((s) => s.name);
  const already = liveUpServices(cfg.root).filter((u) => wanted.includes(u.service.name));
  const skip = already.map((u) => u.service.name);
  const rows: string[][] = already.map((u) => [u.service.name, u.service.url ?? '', out.dim(`already up (${u.upId})`)]);
  if (skip.length === wanted.length) {
    process.stdout.write(`${table(['SERVICE', 'URL', ''], rows)}\n`);
    return 0;
  }

  const upId = `up-${newRunId()}`;
  mkdirSync(logDir(upId), { recursive: true, mode: 0o700 });
  const logFd = openSync(supervisorLogFile(upId), 'a', 0o600);
  const env = { ...process.env };
  for (const k of [RUN_ID_VAR, SERVICE_VAR, RUNNER_VAR]) delete env[k]; // the supervisor is not anyone's service
  const main = fileURLToPath(new URL('./main.js', import.meta.url));
  const args = [main, '__supervise', '--config', file, '--up-id', upId, ...(skip.length ? ['--skip', skip.join(',')] : []), ...names];
  const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', 'pipe', logFd], env });
  closeSync(logFd);
  process.stderr.write(`${err.dim('cleanroom:')} starting ${wanted.filter((n) => !skip.includes(n)).join(', ')} (supervisor pid ${child.pid}, ${upId})\n`);

  // Ctrl+C while waiting: the supervisor is in its own session, so end it (it stops what it started).
  const onSignal = () => {
    if (child.pid) process.kill(child.pid, 'SIGTERM');
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const h = await new Promise<Handshake | undefined>((resolve) => {
    let buf = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (c: string) => {
      buf += c;
      const nl = buf.indexOf('\n');
      if (nl >= 0) {
        try {
          resolve(JSON.parse(buf.slice(0, nl)) as Handshake);
        } catch {
          resolve(undefined);
        }
      }
    });
    child.once('exit', () => resolve(undefined));
  });
  process.removeListener('SIGINT', onSignal);
  process.removeListener('SIGTERM', onSignal);
  child.stdout!.destroy();
  child.unref();
  if (!h) {
    process.stderr.write(`cleanroom: the supervisor exited before the services were ready. Its log (${supervisorLogFile(upId)}):\n${tailOf(supervisorLogFile(upId))}\n`);
    return 1;
  }
  if (h.t === 'failed') {
    process.stderr.write(`${h.error}\n`);
    return 1;
  }
  rows.push(...h.services.map((s: UpServiceInfo) => [s.name, s.url, out.dim(`pid ${s.pid}`)]));
  process.stdout.write(`${table(['SERVICE', 'URL', ''], rows)}\n`);
  process.stderr.write(`${err.dim('cleanroom:')} up (${upId}). Output: cleanroom logs NAME [-f]. Stop: cleanroom down\n`);
  return 0;
}
