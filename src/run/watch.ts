/**
 * While the tests run, a service is watched for what it exists for — its port — and not only its
 * leader process: a wrapper (nodemon, ts-node-dev, `node --watch`) stays alive when the server under
 * it dies, and without this the run goes on for minutes of connection-refused failures.
 */
import type { ResolvedService } from '../config/resolve.js';
import { commandOf } from '../os/process-table.js';
import { hasProcfs, listeningInodes } from '../os/procfs.js';
import { answeringHosts } from '../ports/probe.js';
import { ownedPort } from '../ready/ownership.js';
import { liveProcesses, type ServiceTree } from '../stop/service-tree.js';

/**
 * How often the port is looked at. On Linux that is a read of /proc/net/tcp (is a socket still
 * listening?): no connection at all, so a server that logs every connect (Postgres' "incomplete
 * startup packet") sees nothing; a table read up to WATCH_MS / 2 ago will do, so the watchers of
 * all services share one read per tick. Elsewhere a connect probe, less often.
 */
const WATCH_MS = hasProcfs ? 500 : 2000;
/** Misses in a row before the port counts as lost (a busy server may drop one connect). */
const MISSES = 2;

/**
 * Calls `onLost` once when the service's port stops answering. `describe` there says what happened to
 * its processes ("node server.js (pid 12) exited; ts-node-dev (pid 10) still running"). Returns the
 * function that stops watching.
 */
export function watchPort(svc: ResolvedService, tree: ServiceTree, onLost: (port: number, processes: string) => void): () => void {
  const port = ownedPort(svc);
  if (port === undefined) return () => {};
  // Who was there once ready, by command, to say later which of them went away.
  const before = (tree.known ?? []).map((k) => ({ ...k, command: commandOf(k.pid) }));
  let stopped = false;
  let misses = 0;
  let timer: NodeJS.Timeout | undefined;
  const tick = async () => {
    if (stopped) return;
    const answering = hasProcfs ? listeningInodes(port, WATCH_MS / 2).size > 0 : (await answeringHosts(port)).length > 0;
    if (stopped) return;
    misses = answering ? 0 : misses + 1;
    if (misses >= MISSES) {
      stopped = true;
      onLost(port, describeTree(before, tree));
      return;
    }
    timer = setTimeout(() => void tick(), WATCH_MS);
    timer.unref(); // never what keeps the runner alive
  };
  timer = setTimeout(() => void tick(), WATCH_MS);
  timer.unref();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

function describeTree(before: Array<{ pid: number; startTime: number; command: string }>, tree: ServiceTree): string {
  const alive = new Set(liveProcesses(tree).map((p) => p.pid));
  const name = (p: { pid: number; command: string }) => `${shorten(p.command) || '?'} (pid ${p.pid})`;
  const gone = before.filter((p) => !alive.has(p.pid));
  const still = before.filter((p) => alive.has(p.pid));
  return [
    gone.length ? `${gone.map(name).join(', ')} exited` : 'none of its processes exited',
    still.length ? `${still.map(name).join(', ')} still running` : 'nothing of it is running',
  ].join('; ');
}

function shorten(command: string): string {
  return command.length > 80 ? `${command.slice(0, 77)}...` : command;
}
