/** `cleanroom logs NAME [-f]`: the output of a service started by `cleanroom up` (from its log file). */
import { existsSync, readFileSync, readdirSync, statSync, openSync, readSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CleanroomError } from '../errors.js';
import { liveUpServices, requireStateDir } from '../ops/up-runs.js';
import { optionalConfig } from './ops-config.js';

/** The live up service's log, else the newest log of that name left by an earlier up. */
function logFileOf(name: string, root: string | undefined): string {
  const live = liveUpServices().filter((u) => u.service.name === name && u.service.logFile);
  const here = live.find((u) => root !== undefined && u.run.root === root) ?? live[0];
  if (here?.service.logFile) return here.service.logFile;
  const logs = join(requireStateDir(), 'logs');
  const old = (existsSync(logs) ? readdirSync(logs) : [])
    .map((d) => join(logs, d, `${name}.log`))
    .filter((f) => existsSync(f))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  if (old[0]) return old[0];
  throw new CleanroomError(`cleanroom: no log for "${name}": it is not up and never was on this host (\`cleanroom up ${name}\` starts it)`);
}

export async function logsCommand(name: string, opts: { config?: string; follow?: boolean; lines?: string }): Promise<number> {
  const n = opts.lines === undefined ? 100 : Number(opts.lines);
  if (!Number.isInteger(n) || n < 0) throw new CleanroomError(`cleanroom logs: --lines must be a whole number (got "${opts.lines}")`);
  const project = await optionalConfig(opts.config).catch(() => undefined);
  const file = logFileOf(name, project?.cfg.root);
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  if (lines.length) process.stdout.write(`${(n === 0 ? [] : lines.slice(-n)).join('\n')}${n ? '\n' : ''}`);
  if (!opts.follow) return 0;
  let pos = Buffer.byteLength(text);
  let stop = false;
  process.once('SIGINT', () => (stop = true));
  process.once('SIGTERM', () => (stop = true));
  const buf = Buffer.alloc(64 * 1024);
  while (!stop) {
    await sleep(100);
    let size: number;
    try {
      size = statSync(file).size;
    } catch {
      continue;
    }
    if (size < pos) pos = 0; // truncated
    if (size === pos) continue;
    const fd = openSync(file, 'r');
    try {
      let read: number;
      while ((read = readSync(fd, buf, 0, buf.length, pos)) > 0) {
        process.stdout.write(buf.subarray(0, read));
        pos += read;
      }
    } finally {
      closeSync(fd);
    }
  }
  return 0;
}
