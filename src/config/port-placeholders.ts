/**
 * `{port}` placeholders and relative ready URLs: a service's command, env and ready URL may name its
 * port before it is known (port: 'auto' picks it at start). Filled in here, once the port is known.
 */
import type { ReadySpec, ResolvedService } from './resolve.js';

const PLACEHOLDER = /\{port\}/g;

function fill(s: string, port: number): string {
  return s.replace(PLACEHOLDER, String(port));
}

/** A ready URL with its port: `/health` → `http://localhost:PORT/health`; `{port}` filled in. */
export function readyUrlFor(url: string, port: number | undefined): string {
  if (url.startsWith('/')) {
    if (port === undefined) return url; // the schema's cross checks report this (a path needs a port)
    return `http://localhost:${port}${url}`;
  }
  return port === undefined ? url : fill(url, port);
}

/** True when something in the service still waits for its port to be known. */
export function needsPort(svc: Pick<ResolvedService, 'ready'>): boolean {
  return svc.ready.kind === 'http' && (svc.ready.url.startsWith('/') || svc.ready.url.includes('{port}'));
}

/** The service with its port set and every `{port}` (command, env, ready URL) filled in. */
export function bindPort(svc: ResolvedService, port: number, opts: { setPortEnv: boolean }): ResolvedService {
  const ready: ReadySpec =
    svc.ready.kind === 'http'
      ? { ...svc.ready, url: readyUrlFor(svc.ready.url, port) }
      : svc.ready.kind === 'tcp' && svc.ready.port === 0
        ? { ...svc.ready, port }
        : svc.ready;
  const env = Object.fromEntries(Object.entries(svc.env).map(([k, v]) => [k, fill(v, port)]));
  return {
    ...svc,
    port,
    command: typeof svc.command === 'string' ? fill(svc.command, port) : svc.command.map((c) => fill(c, port)),
    env: opts.setPortEnv ? { PORT: String(port), ...env } : env,
    ready,
  };
}
