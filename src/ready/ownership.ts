/**
 * "Alive and answering" is not "ours and ready": nodemon survives its server's EADDRINUSE crash and a
 * stale server on the port answers instead. A service is ready only when the listener on its port
 * belongs to its own tree (its process group, or a process carrying its run tag).
 */
import { hasProcfs, isListeningOn, listeningInodes, socketInodes, treePids } from '../os/procfs.js';
import { RUN_ID_VAR, envVarOf, liveGroupMembers, portHolders, processInfo } from '../os/process-table.js';
import type { ResolvedService } from '../config/resolve.js';
import type { ServiceTree } from '../stop/service-tree.js';
import { findPortHolders, describeHolders } from '../ports/holders.js';
import { isPortFree } from '../ports/probe.js';

/** The port a URL names, with the scheme's default (443 for https:, 80 for http:). */
export function portOfUrl(u: URL): number {
  return Number(u.port || (u.protocol === 'https:' ? 443 : 80));
}

/** The loopback port whose listener must be the service's own, if one is known. */
export function ownedPort(svc: ResolvedService): number | undefined {
  if (svc.port !== undefined) return svc.port;
  if (svc.ready.kind === 'tcp') return svc.ready.port;
  if (svc.ready.kind === 'http') {
    const u = new URL(svc.ready.url);
    const loopback = ['localhost', '127.0.0.1', '[::1]', '0.0.0.0', '[::]'].includes(u.hostname);
    if (loopback) return portOfUrl(u);
  }
  return undefined;
}

export type Ownership =
  | { ok: true; delegated?: string }
  | { ok: false; holders: string }
  | { ok: false; notListening: true };

/** The sockets listening on `port` right now (taken before the spawn: what was there before the service). */
export function listenersBefore(port: number | undefined): Set<string> {
  if (port === undefined) return new Set();
  return hasProcfs ? listeningInodes(port) : new Set((portHolders(port) ?? []).map((pid) => `pid:${pid}`));
}

/** What listens on `port` now, in the same terms as listenersBefore(): socket inodes, or holder pids without /proc. */
function listenersNow(port: number, pids: number[]): Set<string> {
  return hasProcfs ? listeningInodes(port) : new Set(pids.map((pid) => `pid:${pid}`));
}

/**
 * Ours: the listener is in the service's group, descends from its leader (even one that carries
 * another run's tag, e.g. a nested `cleanroom run`: it is the service's, and stopped with it), or
 * carries its run tag. Also accepted: a listener that
 * appeared after the spawn (the port was free, or cleared, then) although it is outside the tree — a
 * daemon's child such as docker-proxy under `docker compose up`, or `sudo`, `systemd-run` — unless it
 * belongs to another cleanroom run. A socket that was already listening before the spawn is a stale
 * squatter, never the service.
 */
export async function checkOwnership(port: number, tree: ServiceTree, before: Set<string> = new Set(), seenAt?: number): Promise<Ownership> {
  // The usual case, first and cheaply: a process of the service's own tree holds the listener. Only
  // its own fds are read (not every process's), and often one of the two /proc/net files. First the
  // leader's descendants (/proc/PID/task/*/children: no scan of every process), then every member of
  // its group (one reparented away from the leader keeps the group). Anything else takes the full
  // lookup below.
  // `seenAt`: when the probe saw it answer. A socket table read since then shows that listener, so the
  // services whose probes answered in the same turn (20 started together) share one read: this check
  // waits that turn out first.
  if (hasProcfs) {
    if (seenAt !== undefined) await new Promise((resolve) => setImmediate(resolve));
    const tree1 = new Set<string>();
    for (const pid of treePids(tree.pgid, tree.leaderStartTime)) for (const inode of socketInodes(pid)) tree1.add(inode);
    if (isListeningOn(port, tree1, seenAt)) return { ok: true };
    const own = new Set<string>();
    for (const p of liveGroupMembers(tree.pgid)) for (const inode of socketInodes(p.pid)) if (!tree1.has(inode)) own.add(inode);
    if (isListeningOn(port, own)) return { ok: true };
  }
  const pids = portHolders(port);
  if (pids === undefined) return { ok: true }; // this machine cannot name port owners (neither ss nor lsof): accept (README says so)
  // A log line or check() can pass before the server listens: that is "not yet", not "foreign".
  if (pids.length === 0 && (await isPortFree(port))) return { ok: false, notListening: true };
  const ours = pids.some((pid) => processInfo(pid)?.pgid === tree.pgid || envVarOf(pid, RUN_ID_VAR) === tree.runId);
  if (ours) return { ok: true };
  const now = listenersNow(port, pids);
  const holders = describeHolders(await findPortHolders(port));
  const anotherRun = pids.some((pid) => {
    const run = envVarOf(pid, RUN_ID_VAR);
    return run !== undefined && run !== tree.runId;
  });
  if (!anotherRun && now.size > 0 && [...now].every((l) => !before.has(l))) return { ok: true, delegated: holders };
  return { ok: false, holders };
}
