/**
 * Frees a port held by a process cleanroom did not start (or a leftover of its own): the holder's
 * whole process group, when the kill policy allows it. Each such kill is printed.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { mayKillGroup, mayKillProcess } from '../kill/policy.js';
import { signalGroup, signalProcess } from '../kill/signal.js';
import { isPortFree } from './probe.js';
import { describeHolders, findPortHolders, type PortHolder } from './holders.js';

export interface ClearResult {
  /** True when the port answers no more. */
  free: boolean;
  killed: PortHolder[];
  /** Why a holder was left alone, when one was. */
  refused?: string;
  holders: PortHolder[];
}

/**
 * Signals every holder's group (SIGTERM, then SIGKILL after `graceMs`) and waits until the port is
 * free. Refuses, without signalling anything, when any holder is protected by the kill policy.
 */
export async function clearPort(
  port: number,
  opts: { runId?: string; graceMs: number; log: (msg: string) => void; why: string },
): Promise<ClearResult> {
  const holders = await findPortHolders(port);
  if (holders.length === 0) {
    const free = await isPortFree(port);
    return { free, killed: [], holders, ...(!free && { refused: `port ${port} is held by ${describeHolders(holders)}` }) };
  }
  const plan: Array<{ holder: PortHolder; group: boolean }> = [];
  for (const holder of holders) {
    const g = mayKillGroup(holder.pgid, opts.runId);
    if (g.allowed) {
      plan.push({ holder, group: true });
      continue;
    }
    const p = mayKillProcess(holder.pid, opts.runId);
    if (!p.allowed) return { free: false, killed: [], holders, refused: p.reason ?? 'refused by the kill policy' };
    plan.push({ holder, group: false });
  }
  const send = (signal: NodeJS.Signals) => {
    for (const { holder, group } of plan) {
      if (group) signalGroup(holder.pgid, signal);
      else signalProcess(holder.pid, holder.startTime, signal);
    }
  };
  for (const { holder, group } of plan) {
    opts.log(
      `port ${port} ${opts.why}: held by pid ${holder.pid} (${holder.command || '?'}); stopping ${group ? `its process group ${holder.pgid}` : 'it'}`,
    );
  }
  send('SIGTERM');
  const deadline = performance.now() + opts.graceMs;
  let free = await isPortFree(port);
  while (!free && performance.now() < deadline) {
    await sleep(10);
    free = await isPortFree(port);
  }
  if (!free) {
    send('SIGKILL');
    const killDeadline = performance.now() + 2000;
    while (!free && performance.now() < killDeadline) {
      await sleep(10);
      free = await isPortFree(port);
    }
  }
  return { free, killed: plan.map((p) => p.holder), holders };
}
