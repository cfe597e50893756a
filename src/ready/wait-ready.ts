/**
 * Waits until a service is ready: polls its probe (every 10 ms; backing off once something answers but is not ready), fails at
 * once when the service exits first, and fails with what was checked and the output excerpt when
 * readyTimeout runs out.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ReadySpec, ResolvedService } from '../config/resolve.js';
import { ServiceError } from '../errors.js';
import type { ServiceOutput } from '../spawn/output.js';
import { describeExit, type SpawnedService } from '../spawn/spawn-service.js';
import type { ServiceTree } from '../stop/service-tree.js';
import { checkProbe } from './check.js';
import { httpProbe } from './http.js';
import { logProbe } from './log.js';
import { checkOwnership, ownedPort } from './ownership.js';
import { hasProcfs, listeningInodes, listeningPortsOf, treePids } from '../os/procfs.js';
import { liveProcesses } from '../stop/service-tree.js';
import type { Attempt, Captured, ReadyProbe } from './probe.js';
import { tcpProbe } from './tcp.js';
import { trace } from '../run/trace.js';

/**
 * Poll every FAST_POLL_MS for the first FAST_FOR_MS (a quick service is seen within ~10 ms), then
 * back off by BACKOFF up to SLOW_POLL_MS: a service that logs every probe (uvicorn logs each GET,
 * Postgres "incomplete startup packet") must not push its real start-up error out of its log.
 * A refused connection reaches no process and is logged by none, so while nothing listens the poll
 * stays at FAST_POLL_MS (REFUSED_POLL_MS after REFUSED_FAST_FOR_MS): a dev server that takes a
 * second to listen is seen within ~10 ms, not up to 250 ms late. An attempt costs ~0.5 ms of CPU:
 * with many services waiting at once, each polls less often (FAST_POLL_MS per SHARE_OF_FAST services
 * waiting), so that together they never take more than ~10% of a core from the services' own boot.
 */
const FAST_POLL_MS = 10;
const FAST_FOR_MS = 500;
const SLOW_POLL_MS = 250;
const BACKOFF = 1.5;
const REFUSED_FAST_FOR_MS = 10_000;
const REFUSED_POLL_MS = 50;
const SHARE_OF_FAST = 2;

/** Services of this process waiting for readiness right now (see SHARE_OF_FAST). */
let waiting = 0;

/**
 * The wait before the next attempt, `elapsedMs` into the wait, after waiting `lastMs` last time;
 * `refused`: the last attempt found nothing listening (its connection was refused); `waitingNow`:
 * how many services are waiting at once.
 */
export function nextPollMs(elapsedMs: number, lastMs: number, refused = false, waitingNow = 1): number {
  const fast = FAST_POLL_MS * Math.max(1, Math.ceil(waitingNow / SHARE_OF_FAST));
  if (refused) return Math.max(fast, elapsedMs < REFUSED_FAST_FOR_MS ? FAST_POLL_MS : REFUSED_POLL_MS);
  if (elapsedMs < FAST_FOR_MS) return fast;
  return Math.min(SLOW_POLL_MS, Math.max(fast, lastMs * BACKOFF));
}
const NO_ATTEMPT = 'no attempt finished';
/** How long a foreign listener may answer on the service's port before we call it a failure. */
const FOREIGN_GRACE_MS = 1000;

function makeProbe(spec: ReadySpec, output: ServiceOutput): ReadyProbe | undefined {
  switch (spec.kind) {
    case 'http':
      return httpProbe(spec.url, spec.status);
    case 'tcp':
      return tcpProbe(spec.port, spec.hosts);
    case 'log':
      return logProbe(spec.pattern, output);
    case 'check':
      return checkProbe(spec.fn);
    case 'none':
      return undefined;
  }
}

/** The error for a service that exited, or could not be spawned at all, before it was ready. */
export function exitedEarlyError(svc: ResolvedService, spawned: SpawnedService): ServiceError {
  const exit = spawned.exitInfo!;
  if (exit.error) {
    return new ServiceError(
      svc.name,
      describeExit(exit),
      `Check that "${[svc.command].flat()[0]}" exists and is executable (node_modules/.bin is on the PATH), and that cwd ${svc.cwd} exists.`,
      spawned.output.excerpt(),
    );
  }
  return new ServiceError(
    svc.name,
    `${describeExit(exit)} before it was ready`,
    `Check its command (${[svc.command].flat().join(' ')}) in ${svc.cwd}; its output is below.`,
    spawned.output.excerpt(),
  );
}

export interface Readiness {
  ms: number;
  /** The loopback host that answered, when known. */
  host?: string;
  /** ops: the port or URL a log line told. */
  captured?: Captured;
}

export async function waitReady(
  svc: ResolvedService,
  spawned: SpawnedService,
  tree: ServiceTree,
  abort: AbortSignal,
  opts: { listenersBefore?: Set<string>; log?: (msg: string) => void } = {},
): Promise<Readiness> {
  const t0 = performance.now();
  const probe = makeProbe(svc.ready, spawned.output);
  const port = ownedPort(svc);
  const exitedEarly = () => exitedEarlyError(svc, spawned);
  // A log line is waited for by event, not by polling: it takes no share of the polling.
  const polls = !!probe && !probe.changed;
  if (polls) waiting++;
  try {
    const wrongPort = wrongPortWatch(svc);
    let foreignSince: number | undefined;
    let detail = NO_ATTEMPT;
    let pollMs = FAST_POLL_MS;
    for (;;) {
      if (spawned.exitInfo) throw exitedEarly();
      abort.throwIfAborted();
      if (!probe) return { ms: performance.now() - t0 };
      const a = await attemptWithin(probe, svc.readyTimeout - (performance.now() - t0), spawned, abort);
      const seenAt = performance.now();
      if (spawned.exitInfo) throw exitedEarly();
      abort.throwIfAborted();
      trace(`${svc.name}: attempt ${a.ok ? 'passed' : `failed (${a.detail ?? ''})`}`);
      if (a.ok) {
        const own = port === undefined ? ({ ok: true } as const) : await checkOwnership(port, tree, opts.listenersBefore, seenAt);
        if (own.ok) {
          if ('delegated' in own && own.delegated) {
            opts.log?.(`${svc.name}: :${port} is served by ${own.delegated}, outside its process tree; it began listening after ${svc.name} started, so it is taken as ${svc.name}'s (a daemon's child, e.g. docker-proxy)`);
          }
          return { ms: performance.now() - t0, ...(a.host && { host: a.host }), ...(a.captured && { captured: a.captured }) };
        }
        if ('notListening' in own) {
          foreignSince = undefined;
          detail = `${probe.describe} passed, but nothing listens on :${port} yet`;
        } else {
          foreignSince ??= performance.now();
          detail = `port ${port} answered, but by ${own.holders}, not by this service`;
          if (performance.now() - foreignSince > FOREIGN_GRACE_MS) {
            throw new ServiceError(
              svc.name,
              `is not what answers on port ${port}: ${own.holders} does, and it was listening there before ${svc.name} started`,
              `Tests would run against a stale server. Stop that process (or run \`cleanroom sweep ${port}\`), or give ${svc.name} another port.`,
              spawned.output.excerpt(),
            );
          }
        }
      } else if (!a.cut || detail === NO_ATTEMPT) {
        foreignSince = undefined;
        detail = a.detail ?? 'not ready';
      }
      if (port !== undefined) wrongPort.check(port, tree, spawned);
      if (performance.now() - t0 > svc.readyTimeout) {
        throw new ServiceError(
          svc.name,
          `did not become ready within ${fmtMs(svc.readyTimeout)}`,
          `Checked ${probe.describe} (every ${FAST_POLL_MS} ms, backing off to every ${SLOW_POLL_MS} ms once it answers); last result: ${detail}. If it is only slow, raise readyTimeout; otherwise check that it listens where the check looks.`,
          spawned.output.excerpt(),
        );
      }
      pollMs = nextPollMs(performance.now() - t0, pollMs, !a.ok && a.refused === true, waiting);
      // A log line is waited for by event, not by polling: it is seen as soon as it is printed.
      await Promise.race([sleep(pollMs), spawned.exited, ...(probe.changed ? [probe.changed()] : [])]);
    }
  } finally {
    if (polls) waiting--;
    probe?.dispose?.();
  }
}

/**
 * One attempt, but never longer than the time left: a check() that never settles must not hang
 * start(), and an exit or an abort ends the wait at once.
 */
async function attemptWithin(probe: ReadyProbe, leftMs: number, spawned: SpawnedService, abort: AbortSignal): Promise<Attempt> {
  const stop = new AbortController();
  const cancel = AbortSignal.any([stop.signal, abort]);
  try {
    return await Promise.race([
      probe.attempt(),
      spawned.exited.then((): Attempt => ({ ok: false, detail: 'exited' })),
      sleep(Math.max(0, leftMs), undefined, { signal: cancel }).then(
        (): Attempt => ({ ok: false, cut: true, detail: `${probe.describe} gave no answer` }),
        (): Attempt => ({ ok: false, cut: true, detail: 'aborted' }),
      ),
    ]);
  } finally {
    stop.abort();
  }
}

export function fmtMs(ms: number): string {
  return ms >= 1000 ? `${+(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

/** How long a service may listen elsewhere while its configured port stays closed before that is a failure. */
const WRONG_PORT_GRACE_MS = 3000;
/** Ports a dev server opens beside its own that say nothing about a wrong port: Node's inspector (--inspect). */
const SIDE_PORTS = new Set([9229]);
/** How often the tree's listening ports are looked at while waiting (a table that old will do: shared by every service waiting). */
const WRONG_PORT_EVERY_MS = 250;
/** Not before: most services are ready sooner, and each look reads /proc (a few ms of the runner's CPU). */
const WRONG_PORT_FROM_MS = 500;

/**
 * A service configured on one port that listens on another (5713 in the config, Vite on 5173) would
 * cost the whole readyTimeout. Its tree's sockets say so much sooner: once it listens on other ports,
 * names one of them in its output, and the configured one stays closed for a short grace, fail and
 * name the ports it opened.
 */
function wrongPortWatch(svc: ResolvedService): { check(port: number, tree: ServiceTree, spawned: SpawnedService): void } {
  let since: number | undefined;
  const t0 = performance.now();
  let lastLook = 0;
  return {
    check(port, tree, spawned) {
      if (!hasProcfs) return;
      const now = performance.now();
      if (now - t0 < WRONG_PORT_FROM_MS || now - lastLook < WRONG_PORT_EVERY_MS) return;
      lastLook = now;
      // The leader's own tree (a few small reads), not the whole snapshot (a scan of every process and
      // its environment): with 20 services waiting, that scan every 250 ms each took half the event loop.
      const own = treePids(tree.pgid, tree.leaderStartTime);
      const pids = own.length ? own : liveProcesses(tree).map((p) => p.pid);
      const ports = listeningPortsOf(pids, WRONG_PORT_EVERY_MS).filter((p) => !SIDE_PORTS.has(p));
      if (ports.length === 0 || ports.includes(port) || listeningInodes(port, WRONG_PORT_EVERY_MS).size > 0) {
        since = undefined;
        return;
      }
      // Only ports the service itself names in its output ("Local: http://localhost:5173/"): a dev
      // server may open another port first (HMR, an inspector, a cluster port) before its own.
      const lines = spawned.output.kept();
      const named = ports.filter((p) => lines.some((l) => new RegExp(`(^|[^\\d])${p}([^\\d]|$)`).test(l)));
      if (named.length === 0) {
        since = undefined;
        return;
      }
      since ??= now;
      if (now - since < WRONG_PORT_GRACE_MS) return;
      const list = named.map((p) => `:${p}`).join(', ');
      throw new ServiceError(
        svc.name,
        `listens on ${list}, not on :${port} as configured`,
        `Set ${svc.name}'s port (and its ready URL) to ${named.length === 1 ? named[0] : 'the right one'}, or make it listen on ${port} (for most dev servers: --port ${port}, or PORT=${port} in env). Its output is below.`,
        spawned.output.excerpt(),
      );
    },
  };
}
