/**
 * Is a port holder a leftover, or someone's live process? The default port policy ('auto') turns on
 * this: a leftover is always cleared; a live process with a living parent (your `npm run dev` in
 * another terminal) is stopped only in CI.
 */
import { basename } from 'node:path';
import { RUNNER_VAR, portHolderTree } from '../kill/policy.js';
import { readFileSync } from 'node:fs';
import { allProcesses, commandOf, envVarOf, isSameProcess, type ProcStat } from '../os/process-table.js';

/**
 * Where orphans go besides PID 1: child subreapers (PR_SET_CHILD_SUBREAPER) such as a user's systemd,
 * or a container's init. The kernel does not show the flag, so they are known by name.
 */
const SUBREAPERS = new Set(['systemd', 'tini', 'docker-init', 'dumb-init', 'catatonit', 's6-svscan', 'runit', 'init']);

export type HolderKind =
  | { kind: 'leftover'; why: string }
  | { kind: 'live'; parent: { pid: number; command: string } };

export function classifyHolder(holderPid: number, table: ProcStat[] = allProcesses()): HolderKind {
  const runner = envVarOf(holderPid, RUNNER_VAR);
  if (runner) {
    const [pid, start] = runner.split(':');
    if (!isSameProcess(Number(pid), Number(start))) return { kind: 'leftover', why: `it was started by a cleanroom run whose runner (pid ${pid}) is gone` };
  }
  const tree = portHolderTree(holderPid, undefined, table);
  const top = 'top' in tree ? tree.top : table.find((p) => p.pid === holderPid);
  const parentPid = top?.ppid ?? 1;
  // A daemon an init system runs (a systemd unit) has PID 1 for a parent too: it is no leftover.
  const unit = serviceUnit(top?.pid ?? holderPid);
  if (unit) return { kind: 'live', parent: { pid: parentPid, command: `${commandOf(parentPid) || 'init'} (unit ${unit})` } };
  if (parentPid <= 1) return { kind: 'leftover', why: 'it was orphaned (its parent is PID 1)' };
  const command = commandOf(parentPid);
  const name = basename((command.split(' ')[0] ?? '').replace(/^-/, ''));
  if (SUBREAPERS.has(name)) return { kind: 'leftover', why: `it was orphaned (its parent is ${name}, pid ${parentPid})` };
  return { kind: 'live', parent: { pid: parentPid, command } };
}

/** True when `CI` says this is a CI job (any value but '', 'false', '0'). */
export function inCI(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env.CI;
  return !!v && v !== 'false' && v !== '0';
}

/** The systemd unit (`nginx.service`) whose cgroup holds the process, if any (Linux; else undefined). */
function serviceUnit(pid: number): string | undefined {
  let text = '';
  try {
    text = readFileSync(`/proc/${pid}/cgroup`, 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    const leaf = line.slice(line.lastIndexOf('/') + 1).trim();
    if (leaf.endsWith('.service')) return leaf;
  }
  return undefined;
}
