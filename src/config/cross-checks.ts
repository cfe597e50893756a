/**
 * Checks across services (and of the service names), run on the raw input whatever else is wrong
 * with it, so that one attempt lists every problem. Each check tolerates malformed fields: a wrong
 * type is the schema's to report.
 */
import { envNameOf } from './env-name.js';
import { closest } from './did-you-mean.js';
import { SERVICE_NAME } from './types.js';

export interface Problem {
  path: Array<string | number>;
  message: string;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A name the rules allow, close to `name`: "my api" → "my-api". */
function suggestName(name: string): string {
  return name.trim().replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^[-_]+/, '');
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1', '0.0.0.0', '[::]']);

/** The port a loopback ready URL points at, or undefined (not a URL, not loopback). */
function loopbackUrlPort(url: unknown): number | undefined {
  if (typeof url !== 'string') return undefined;
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
    if (!LOOPBACK_HOSTS.has(u.hostname) && !u.hostname.startsWith('127.')) return undefined;
    return u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80;
  } catch {
    return undefined;
  }
}

export function crossServiceProblems(cfg: unknown): Problem[] {
  if (!isRecord(cfg) || !isRecord(cfg.services)) return [];
  const services = cfg.services;
  const problems: Problem[] = [];
  const add = (path: Array<string | number>, message: string) => problems.push({ path, message });
  const names = Object.keys(services);
  if (names.length === 0) add(['services'], 'must name at least one service, e.g. services: { api: { command: "npm start", port: 3000 } }');
  const byPort = new Map<number, string>();
  const byEnvName = new Map<string, string>();
  for (const [name, svc] of Object.entries(services)) {
    if (!SERVICE_NAME.test(name)) {
      add(['services', name], `is not a usable service name: use letters, digits, - and _, starting with a letter or digit (e.g. "${suggestName(name) || 'api'}")`);
    }
    if (!isRecord(svc)) continue;
    for (const dep of Array.isArray(svc.dependsOn) ? svc.dependsOn : []) {
      if (typeof dep !== 'string') continue;
      if (!(dep in services)) {
        const near = closest(dep, names);
        add(['services', name, 'dependsOn'], `names unknown service "${dep}" (known: ${names.join(', ')})${near ? `; did you mean "${near}"?` : ''}`);
      } else if (dep === name) {
        add(['services', name, 'dependsOn'], 'a service cannot depend on itself');
      }
    }
    if (typeof svc.port === 'number') {
      const other = byPort.get(svc.port);
      if (other) add(['services', name, 'port'], `port ${svc.port} is also used by service "${other}"`);
      else byPort.set(svc.port, name);
      const ready = svc.ready;
      const url = typeof ready === 'string' ? ready : isRecord(ready) ? ready.url : undefined;
      const at = loopbackUrlPort(url);
      if (at !== undefined && at !== svc.port) {
        add(
          ['services', name, 'ready', ...(typeof ready === 'string' ? [] : ['url'])],
          `points at :${at} but port is ${svc.port}: use the service's own port, or ready: { check } for a check elsewhere`,
        );
      }
    }
    // A relative ready URL or a {port} placeholder needs a port to be filled in with.
    const readyUrl = typeof svc.ready === 'string' ? svc.ready : isRecord(svc.ready) && typeof svc.ready.url === 'string' ? svc.ready.url : undefined;
    if (readyUrl && svc.port === undefined && (readyUrl.startsWith('/') || readyUrl.includes('{port}'))) {
      add(['services', name, 'ready'], `${readyUrl} needs the service's port: set port (a number or 'auto'), or give a full URL`);
    }
    const envName = envNameOf(name);
    const clash = byEnvName.get(envName);
    if (clash) add(['services', name], `name clashes with "${clash}" in env var CLEANROOM_${envName}_URL`);
    else byEnvName.set(envName, name);
  }
  const cycle = findCycle(services);
  if (cycle) add(['services'], `dependsOn has a cycle: ${cycle.join(' -> ')}`);
  return problems;
}

function findCycle(services: Record<string, unknown>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const depsOf = (name: string): unknown[] => {
    const s = services[name];
    return isRecord(s) && Array.isArray(s.dependsOn) ? s.dependsOn : [];
  };
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === 'done') return undefined;
    if (state.get(name) === 'visiting') return [...stack.slice(stack.indexOf(name)), name];
    state.set(name, 'visiting');
    stack.push(name);
    for (const dep of depsOf(name)) {
      if (typeof dep !== 'string' || dep === name || !(dep in services)) continue;
      const c = visit(dep);
      if (c) return c;
    }
    stack.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const name of Object.keys(services)) {
    const c = visit(name);
    if (c) return c;
  }
  return undefined;
}
