/**
 * Sweep: reap stale runs of this host and free ports, as a plan first (what would be signalled, and
 * why) and then, unless it is a dry run, exactly that plan. Every process goes through the kill policy
 * (kill/policy.ts): never PID 1, cleanroom itself, its ancestors, another user's process, or a live
 * run's service.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { mayKillProcess, portHolderTree } from '../kill/policy.js';
import { signalProcess } from '../kill/signal.js';
import { readHostRecords, recordOrigin, removeRecord, type RunRecord } from '../ledger/ledger.js';
import { isRunAlive } from '../ledger/reap.js';
import { allProcesses, commandOf, isSameProcess } from '../os/process-table.js';
import { findPortHolders } from '../ports/holders.js';
import { isPortFree } from '../ports/probe.js';
import { recordedServiceTree } from '../run/warm-reuse.js';

export interface Target {
  pid: number;
  startTime: number;
  command: string;
  /** The first signal: the service's stopSignal, or SIGKILL with --force. */
  signal: NodeJS.Signals;
  /** How long to wait before SIGKILL. */
  graceMs: number;
}

export interface StalePlan {
  runId: string;
  /** The `cleanroom up` it belongs to, if any. */
  upId?: string;
  kind: string;
  runnerPid: number;
  /** 'old-boot': a record of this host's earlier boot: nothing to signal, the file goes. */
  origin: 'this-boot' | 'old-boot';
  targets: Target[];
  refused: Array<{ pid: number; reason: string }>;
}

export interface PortPlan {
  port: number;
  /** Nothing answers. */
  free: boolean;
  holders: Array<{ pid: number; command: string }>;
  targets: Target[];
  /** Why the holders are left alone (a live run's service, another user's process...). */
  refused?: string;
  /** Holders that are a stale run's processes, stopped with that run. */
  viaStale?: number[];
}

export interface SweepPlan {
  stale: StalePlan[];
  ports: PortPlan[];
}

export interface PortSpec {
  port: number;
  stopSignal: NodeJS.Signals;
  stopTimeout: number;
}

function staleRuns(): RunRecord[] {
  return readHostRecords().filter((r) => recordOrigin(r) === 'old-boot' || !isRunAlive(r));
}

export async function planSweep(ports: PortSpec[], force: boolean): Promise<SweepPlan> {
  const stale: StalePlan[] = [];
  for (const r of staleRuns()) {
    const origin = recordOrigin(r) === 'old-boot' ? 'old-boot' : 'this-boot';
    const plan: StalePlan = { runId: r.runId, ...(r.upId && { upId: r.upId }), kind: r.kind ?? 'test', runnerPid: r.runner.pid, origin, targets: [], refused: [] };
    if (origin === 'this-boot') {
      for (const s of r.services) {
        if (Number.isNaN(s.leaderStartTime)) continue; // cannot be told from a later process with that number
        for (const p of recordedServiceTree(r, s)) {
          const v = mayKillProcess(p.pid, r.runId);
          if (!v.allowed) plan.refused.push({ pid: p.pid, reason: v.reason ?? 'refused' });
          else plan.targets.push({ pid: p.pid, startTime: p.startTime, command: commandOf(p.pid), signal: force ? 'SIGKILL' : s.stopSignal, graceMs: Math.min(s.stopTimeout, 5000) });
        }
      }
    }
    stale.push(plan);
  }
  const planned = new Set(stale.flatMap((s) => s.targets.map((t) => t.pid)));
  const portPlans: PortPlan[] = [];
  for (const spec of ports) {
    if (await isPortFree(spec.port)) {
      portPlans.push({ port: spec.port, free: true, holders: [], targets: [] });
      continue;
    }
    const holders = await findPortHolders(spec.port);
    const plan: PortPlan = { port: spec.port, free: false, holders: holders.map((h) => ({ pid: h.pid, command: h.command })), targets: [] };
    if (holders.length === 0) plan.refused = 'its holder cannot be seen (another user\'s process, or no /proc)';
    const table = allProcesses();
    for (const h of holders) {
      if (planned.has(h.pid)) {
        (plan.viaStale ??= []).push(h.pid); // a stale run's process: stopped with its run
        continue;
      }
      const tree = portHolderTree(h.pid, undefined, table);
      if ('refused' in tree) {
        plan.refused = tree.refused;
        plan.targets = [];
        break;
      }
      for (const p of tree.targets) {
        if (plan.targets.some((t) => t.pid === p.pid)) continue;
        plan.targets.push({ pid: p.pid, startTime: p.startTime, command: commandOf(p.pid), signal: force ? 'SIGKILL' : spec.stopSignal, graceMs: spec.stopTimeout });
      }
    }
    portPlans.push(plan);
  }
  return { stale, ports: portPlans };
}

export interface Signalled {
  pid: number;
  command: string;
  signals: NodeJS.Signals[];
}

/** Sends each target its signal, waits up to its grace, SIGKILLs the rest. Only ever the planned processes (same pid and start time). */
export async function stopTargets(targets: Target[]): Promise<{ signalled: Signalled[]; survivors: number[] }> {
  const signalled = new Map<number, Signalled>();
  const send = (t: Target, sig: NodeJS.Signals) => {
    if (!signalProcess(t.pid, t.startTime, sig)) return;
    const s = signalled.get(t.pid) ?? { pid: t.pid, command: t.command, signals: [] };
    s.signals.push(sig);
    signalled.set(t.pid, s);
  };
  for (const t of targets) send(t, t.signal);
  const alive = () => targets.filter((t) => isSameProcess(t.pid, t.startTime));
  const deadline = performance.now() + Math.max(0, ...targets.map((t) => (t.signal === 'SIGKILL' ? 0 : t.graceMs)));
  while (alive().length && performance.now() < deadline) await sleep(10);
  for (const t of alive()) if (t.signal !== 'SIGKILL') send(t, 'SIGKILL');
  const killDeadline = performance.now() + 2000;
  while (alive().length && performance.now() < killDeadline) await sleep(10);
  return { signalled: [...signalled.values()], survivors: alive().map((t) => t.pid) };
}

export interface SweepResult {
  dryRun: boolean;
  stale: Array<StalePlan & { signalled: Signalled[]; removed: boolean }>;
  ports: Array<PortPlan & { signalled: Signalled[]; freeAfter: boolean }>;
}

/** Carries out a plan (nothing else), then checks every port. */
export async function runSweep(plan: SweepPlan): Promise<SweepResult> {
  const stale: SweepResult['stale'] = [];
  for (const s of plan.stale) {
    const { signalled } = await stopTargets(s.targets);
    removeRecord(s.runId);
    stale.push({ ...s, signalled, removed: true });
  }
  const ports: SweepResult['ports'] = [];
  for (const p of plan.ports) {
    const { signalled } = await stopTargets(p.targets);
    let freeAfter = await isPortFree(p.port);
    // An exiting holder may keep its socket for a few milliseconds after it is gone from /proc.
    for (let i = 0; !freeAfter && !p.free && i < 50; i++) {
      await sleep(10);
      freeAfter = await isPortFree(p.port);
    }
    ports.push({ ...p, signalled, freeAfter });
  }
  return { dryRun: false, stale, ports };
}
