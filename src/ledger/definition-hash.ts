/**
 * A service's identity for warm reuse: a hash of what decides which server answers (command, cwd,
 * env, port, readiness, stop signal), taken from the resolved config before a port: 'auto' is picked.
 * A test run reuses `cleanroom up`'s service only when this matches, so a changed command or env
 * never tests against the old server.
 */
import { createHash } from 'node:crypto';
import type { ReadySpec, ResolvedService } from '../config/resolve.js';

/** The parts of the definition that are compared, as readable strings (for "what differs" messages). */
export type DefinitionSpec = Record<string, string>;

function readySpec(r: ReadySpec): string {
  switch (r.kind) {
    case 'http':
      return `GET ${r.url}${r.status ? ` ${r.status.join(',')}` : ''}`;
    case 'tcp':
      return `TCP :${r.port} ${r.hosts.join(',')}`;
    case 'log':
      return `log ${String(r.pattern)}`;
    case 'check':
      return `check ${r.fn.toString()}`;
    case 'none':
      return 'none';
  }
}

export function definitionSpec(svc: ResolvedService): DefinitionSpec {
  const env = Object.keys(svc.env)
    .sort()
    .map((k) => `${k}=${svc.env[k]}`)
    .join(' ');
  return {
    command: JSON.stringify(svc.command),
    cwd: svc.cwd,
    env,
    port: svc.autoPort ? 'auto' : String(svc.port ?? ''), // not portBase: any picked port serves the same definition
    ready: readySpec(svc.ready),
    stopSignal: svc.stopSignal,
  };
}

export function hashSpec(spec: DefinitionSpec): string {
  const h = createHash('sha256');
  for (const k of Object.keys(spec).sort()) h.update(`${k}\0${spec[k]}\0`);
  return h.digest('hex').slice(0, 16);
}

export function definitionHash(svc: ResolvedService): string {
  return hashSpec(definitionSpec(svc));
}

/** The fields that differ, worded for an error: `command: "a" (running) vs "b" (this config)`. */
export function describeDifferences(running: DefinitionSpec | undefined, wanted: DefinitionSpec): string[] {
  if (!running) return ['(the running service was started by an older cleanroom: its definition is unknown)'];
  return Object.keys(wanted)
    .filter((k) => running[k] !== wanted[k])
    .map((k) => `${k}: ${running[k] ?? '(unset)'} (running) vs ${wanted[k]} (this config)`);
}
