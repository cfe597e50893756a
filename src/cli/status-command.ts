/**
 * `cleanroom status [--json]`: every run of this host in the ledger (live or stale, test run or
 * `up`), each service's process tree with port, URL, uptime, CPU and memory; and every process
 * holding a configured port that cleanroom did not start. Exit 0 when all is clean, 1 when a run is
 * stale or a stranger holds a configured port.
 */
import { readRecords, recordOrigin, type RunRecord } from '../ledger/ledger.js';
import { isRunAlive } from '../ledger/reap.js';
import { commandOf, uidOf, type ProcStat } from '../os/process-table.js';
import { readEnvVar } from '../os/procfs.js';
import { RUN_ID_VAR } from '../os/process-table.js';
import { fmtBytes, fmtDuration, treeUsage } from '../ops/proc-usage.js';
import { requireStateDir } from '../ops/up-runs.js';
import { findPortHolders } from '../ports/holders.js';
import { isPortFree } from '../ports/probe.js';
import { recordedServiceTree } from '../run/warm-reuse.js';
import { optionalConfig } from './ops-config.js';
import { out, table } from './style.js';
import { userInfo } from 'node:os';
import { readFileSync } from 'node:fs';

export interface StatusService {
  name: string;
  port: number | null;
  url: string | null;
  pids: number[];
  cpuPercent: number;
  rssBytes: number;
  uptimeMs: number;
  /** The kernel's name for what the processes are, for the table. */
  command: string;
}

export interface StatusRun {
  runId: string;
  kind: 'up' | 'test';
  live: boolean;
  runner: { pid: number; command: string };
  cwd: string;
  root: string | null;
  startedAt: string;
  services: StatusService[];
}

export interface StatusForeign {
  port: number;
  pid: number;
  user: string;
  command: string;
  /** The config service the port is meant for. */
  service: string;
}

export interface Status {
  runs: StatusRun[];
  foreign: StatusForeign[];
  /** Records of other hosts sharing this state folder (never touched from here). */
  otherHosts: number;
  stateDir: string;
}

function userName(uid: number | undefined): string {
  if (uid === undefined) return '?';
  if (typeof process.getuid === 'function' && uid === process.getuid()) return userInfo().username;
  const line = (() => {
    try {
      return readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.split(':')[2] === String(uid));
    } catch {
      return undefined;
    }
  })();
  return line?.split(':')[0] ?? String(uid);
}

/** `up` runs (one record per service) are shown as one run per `up`. */
function statusRuns(records: RunRecord[]): StatusRun[] {
  const runs = new Map<string, StatusRun>();
  for (const r of records) {
    const key = r.upId ?? r.runId;
    const run =
      runs.get(key) ??
      ({
        runId: key,
        kind: r.kind === 'up' ? 'up' : 'test',
        live: isRunAlive(r),
        runner: { pid: r.runner.pid, command: r.runner.command },
        cwd: r.cwd,
        root: r.root ?? null,
        startedAt: r.startedAt,
        services: [],
      } satisfies StatusRun);
    run.live &&= isRunAlive(r);
    if (r.startedAt < run.startedAt) run.startedAt = r.startedAt;
    for (const s of r.services) {
      const tree: ProcStat[] = recordedServiceTree(r, s);
      const pids = tree.map((p) => p.pid).sort((a, b) => a - b);
      const u = treeUsage(pids);
      const leader = tree.find((p) => p.pid === s.pgid);
      run.services.push({
        name: s.name,
        port: s.port ?? null,
        url: s.url ?? null,
        pids,
        cpuPercent: u.cpuPercent,
        rssBytes: u.rssBytes,
        uptimeMs: Math.round(u.ageMs),
        command: commandOf(leader?.pid ?? pids[0] ?? 0),
      });
    }
    runs.set(key, run);
  }
  return [...runs.values()].sort((a, b) => a.startedAt.localeCompare(b.startedAt));
}

export async function collectStatus(config?: string): Promise<Status> {
  const stateDir = requireStateDir();
  const all = readRecords();
  const here = all.filter((r) => recordOrigin(r) !== 'other-host');
  const runs = statusRuns(here);
  const foreign: StatusForeign[] = [];
  const project = await optionalConfig(config);
  const knownIds = new Set(here.map((r) => r.runId)); // started by cleanroom (live or stale: the stale ones show above)
  for (const svc of project?.cfg.services ?? []) {
    if (svc.port === undefined || (await isPortFree(svc.port))) continue;
    const holders = await findPortHolders(svc.port);
    if (holders.length === 0) {
      foreign.push({ port: svc.port, pid: 0, user: '?', command: '(a process cleanroom cannot see: another user\'s)', service: svc.name });
    }
    for (const h of holders) {
      const tag = readEnvVar(h.pid, RUN_ID_VAR);
      if (tag && knownIds.has(tag)) continue;
      foreign.push({ port: svc.port, pid: h.pid, user: userName(uidOf(h.pid)), command: h.command, service: svc.name });
    }
  }
  return { runs, foreign, otherHosts: all.length - here.length, stateDir };
}

function render(s: Status): string {
  const lines: string[] = [];
  if (s.runs.length === 0) lines.push(out.green('no cleanroom runs on this host'));
  for (const r of s.runs) {
    const state = r.live ? out.green('live') : out.red('STALE');
    lines.push(`${out.bold(r.kind === 'up' ? 'up' : 'test run')} ${r.runId}  ${state}  runner pid ${r.runner.pid} (${r.runner.command})  in ${r.root ?? r.cwd}  since ${r.startedAt}`);
    const rows = r.services.map((x) => [
      `  ${x.name}`,
      x.port === null ? '-' : String(x.port),
      x.url ?? '-',
      x.pids.length ? x.pids.join(',') : out.dim('none'),
      x.pids.length ? fmtDuration(x.uptimeMs) : '-',
      x.pids.length ? `${x.cpuPercent.toFixed(1)}%` : '-',
      x.pids.length ? fmtBytes(x.rssBytes) : '-',
    ]);
    if (rows.length) lines.push(table(['  SERVICE', 'PORT', 'URL', 'PIDS', 'UP', 'CPU', 'RSS'], rows));
    if (!r.live) lines.push(out.yellow(`  its runner is gone: \`cleanroom sweep\` stops what it left${r.services.some((x) => x.pids.length) ? '' : ' (nothing is left; sweep removes the record)'}`));
  }
  if (s.foreign.length) {
    lines.push('', out.bold(out.red('ports held by processes cleanroom did not start:')));
    lines.push(table(['  PORT', 'PID', 'USER', 'COMMAND'], s.foreign.map((f) => [`  ${f.port}`, String(f.pid || '?'), f.user, `${f.command}  ${out.dim(`(port of ${f.service})`)}`])));
    lines.push(out.yellow(`  \`cleanroom sweep --dry-run\` shows what freeing them would signal`));
  }
  if (s.otherHosts) lines.push(out.dim(`(${s.otherHosts} record${s.otherHosts === 1 ? '' : 's'} of other hosts share ${s.stateDir}; not shown)`));
  lines.push(out.dim('CPU: average since each process started, summed over the tree; RSS: summed over the tree'));
  return lines.join('\n');
}

export async function statusCommand(opts: { config?: string; json?: boolean }): Promise<number> {
  const s = await collectStatus(opts.config);
  process.stdout.write(opts.json ? `${JSON.stringify(s, null, 2)}\n` : `${render(s)}\n`);
  return s.runs.some((r) => !r.live) || s.foreign.length ? 1 : 0;
}
