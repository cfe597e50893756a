/**
 * The base URL handed to tests, decided from what is known, never from a race: the ready URL when it
 * names the service's port, else the addresses the service's socket really listens on (/proc/net),
 * else the loopback host the readiness probe reached.
 */
import type { ResolvedService } from '../config/resolve.js';
import { hasProcfs, listeningAddresses } from '../os/procfs.js';
import { answeringHosts } from '../ports/probe.js';
import { portOfUrl } from '../ready/ownership.js';


/** `localhost` when IPv4 loopback is served (browsers and Node's fetch try both families), `[::1]` when only IPv6 is. */
function hostFor(addresses: string[]): string | undefined {
  if (addresses.length === 0) return undefined;
  const v4 = addresses.some((a) => a === '127.0.0.1' || a === '0.0.0.0' || a === '::' || a === '::ffff:127.0.0.1');
  if (v4) return 'localhost';
  if (addresses.includes('::1')) return '[::1]';
  return 'localhost';
}

/**
 * `probeHost`: the loopback address the readiness probe connected to, when it knows one.
 */
export async function serviceUrl(svc: ResolvedService, probeHost?: string): Promise<string> {
  if (svc.ready.kind === 'http') {
    const u = new URL(svc.ready.url);
    if (svc.port === undefined || portOfUrl(u) === svc.port) return u.origin;
  }
  if (svc.port === undefined) return '';
  const fromSockets = hasProcfs ? hostFor(listeningAddresses(svc.port)) : undefined;
  if (fromSockets) return `http://${fromSockets}:${svc.port}`;
  const hosts = probeHost ? [probeHost] : await answeringHosts(svc.port);
  const onlyV6 = hosts.length > 0 && !hosts.includes('127.0.0.1');
  return `http://${onlyV6 ? '[::1]' : 'localhost'}:${svc.port}`;
}
