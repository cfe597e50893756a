/**
 * `cleanroom sweep [PORT…] [--dry-run] [--force] [--json]`: reap stale runs and free the given (or the
 * configured) ports: stopSignal, wait, SIGKILL (--force: SIGKILL at once), each process through the
 * kill policy. --dry-run prints exactly what would be signalled and changes nothing.
 */
import { CleanroomError } from '../errors.js';
import { DEFAULTS } from '../config/resolve.js';
import { planSweep, runSweep, type PortSpec, type SweepPlan, type SweepResult, type Target } from '../ops/sweep.js';
import { requireStateDir } from '../ops/up-runs.js';
import { optionalConfig } from './ops-config.js';
import { out } from './style.js';

export function parsePorts(args: string[]): number[] {
  return args.map((a) => {
    const n = Number(a);
    if (!/^\d+$/.test(a) || n < 1 || n > 65535) throw new CleanroomError(`cleanroom sweep: "${a}" is not a port (1-65535)`);
    return n;
  });
}

function describeTarget(t: Target, dry: boolean): string {
  const then = t.signal === 'SIGKILL' ? '' : `, then SIGKILL after ${t.graceMs} ms if still alive`;
  return `  ${dry ? 'would send' : 'sent'} ${t.signal} to pid ${t.pid} (${t.command || '?'})${dry ? then : ''}`;
}

function renderPlan(plan: SweepPlan): string[] {
  const lines: string[] = [];
  for (const s of plan.stale) {
    const id = s.upId ?? s.runId;
    if (s.origin === 'old-boot') lines.push(`stale run ${id}: from an earlier boot; would remove its record (nothing to signal)`);
    else lines.push(`stale run ${id} (${s.kind}, runner pid ${s.runnerPid} gone): ${s.targets.length ? `${s.targets.length} process(es) left` : 'nothing left'}; would remove its record`);
    for (const t of s.targets) lines.push(describeTarget(t, true));
    for (const r of s.refused) lines.push(`  would leave pid ${r.pid} alone: ${r.reason}`);
  }
  for (const p of plan.ports) {
    if (p.free) lines.push(`port ${p.port}: free`);
    else if (p.refused) lines.push(`port ${p.port}: held by ${p.holders.map((h) => `pid ${h.pid} (${h.command || '?'})`).join(', ') || '?'}; would leave it alone: ${p.refused}`);
    else {
      lines.push(`port ${p.port}: held by ${p.holders.map((h) => `pid ${h.pid} (${h.command || '?'})`).join(', ')}${p.viaStale?.length ? ` (pid ${p.viaStale.join(', ')}: stopped with the stale run above)` : ''}`);
      for (const t of p.targets) lines.push(describeTarget(t, true));
    }
  }
  if (lines.length === 0) lines.push('nothing to sweep: no stale runs, no ports to check');
  return lines;
}

function renderResult(r: SweepResult): string[] {
  const lines: string[] = [];
  const sig = (s: { pid: number; command: string; signals: string[] }) => `  signalled pid ${s.pid} (${s.command || '?'}): ${s.signals.join(' then ')}`;
  for (const s of r.stale) {
    lines.push(`stale run ${s.upId ?? s.runId}: ${s.origin === 'old-boot' ? 'record of an earlier boot removed' : `stopped ${s.signalled.length} process(es), record removed`}`);
    lines.push(...s.signalled.map(sig));
    for (const x of s.refused) lines.push(`  left pid ${x.pid} alone: ${x.reason}`);
  }
  for (const p of r.ports) {
    if (p.free) {
      lines.push(`port ${p.port}: ${out.green('free')}`);
      continue;
    }
    if (p.refused) lines.push(`port ${p.port}: left alone: ${p.refused}`);
    lines.push(...p.signalled.map(sig));
    lines.push(`port ${p.port}: ${p.freeAfter ? out.green('free now') : out.red('STILL HELD')}`);
  }
  if (lines.length === 0) lines.push('nothing to sweep: no stale runs, no ports to check');
  return lines;
}

export async function sweepCommand(portArgs: string[], opts: { config?: string; dryRun?: boolean; force?: boolean; json?: boolean }): Promise<number> {
  const given = parsePorts(portArgs);
  requireStateDir();
  let specs: PortSpec[];
  if (given.length) {
    const project = await optionalConfig(opts.config).catch(() => undefined);
    specs = given.map((port) => {
      const svc = project?.cfg.services.find((s) => s.port === port);
      return { port, stopSignal: svc?.stopSignal ?? DEFAULTS.stopSignal, stopTimeout: svc?.stopTimeout ?? DEFAULTS.stopTimeout };
    });
  } else {
    const project = await optionalConfig(opts.config);
    specs = (project?.cfg.services ?? []).flatMap((s) => (s.port === undefined ? [] : [{ port: s.port, stopSignal: s.stopSignal, stopTimeout: s.stopTimeout }]));
  }
  const plan = await planSweep(specs, !!opts.force);
  if (opts.dryRun) {
    process.stdout.write(opts.json ? `${JSON.stringify({ dryRun: true, ...plan }, null, 2)}\n` : `${out.dim('(dry run: nothing is signalled or removed)')}\n${renderPlan(plan).join('\n')}\n`);
    return plan.stale.length || plan.ports.some((p) => !p.free) ? 1 : 0;
  }
  const result = await runSweep(plan);
  process.stdout.write(opts.json ? `${JSON.stringify(result, null, 2)}\n` : `${renderResult(result).join('\n')}\n`);
  return result.ports.every((p) => p.free || p.freeAfter) ? 0 : 1;
}
