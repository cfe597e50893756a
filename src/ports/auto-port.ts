/**
 * port: 'auto': picks a free port for a service at start, from the config's portBase upwards (below
 * the kernel's ephemeral range, 32768, where an outgoing connection may take any port at any moment).
 * A port is skipped when it cannot be bound, when something answers on it, when another live run of
 * this host has it in the ledger, or when another run has reserved it (ledger/port-locks.ts) but not
 * yet recorded it. The reservation is taken exclusively, so two runs starting at once never collide.
 */
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { bindPort } from '../config/port-placeholders.js';
import type { ResolvedService } from '../config/resolve.js';
import { ServiceError } from '../errors.js';
import { holdsPort, reservedPorts, reservePort } from '../ledger/port-locks.js';
import { liveRuns } from '../ledger/reap.js';
import { isPortFree } from './probe.js';

const EPHEMERAL_START = 32768;
/** How long after taking a reservation it is checked again (see holdsPort). */
const RESERVE_SETTLE_MS = 25;
const MAX_TRIES = 1000;

function canBind(port: number, host: string): Promise<boolean | 'no-family'> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'EAFNOSUPPORT' || e.code === 'EADDRNOTAVAIL' ? 'no-family' : false));
    srv.listen({ port, host, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

/** Free for a server to listen on any address: `::` (dual stack) where IPv6 exists, else 0.0.0.0. */
async function bindable(port: number): Promise<boolean> {
  const v6 = await canBind(port, '::');
  if (v6 === 'no-family') return (await canBind(port, '0.0.0.0')) === true;
  return v6 && (await canBind(port, '0.0.0.0')) === true;
}

/** Picks and reserves a port for `runId`, from `base` up. */
export async function pickPort(base: number, runId: string, service: string): Promise<number> {
  const taken = new Set<number>(reservedPorts(runId));
  for (const r of liveRuns(runId)) for (const s of r.services) if (s.port !== undefined) taken.add(s.port);
  const end = base < EPHEMERAL_START ? EPHEMERAL_START : 65536;
  for (let port = base, tries = 0; port < end && tries < MAX_TRIES; port++, tries++) {
    if (taken.has(port)) continue;
    if (!(await bindable(port)) || !(await isPortFree(port))) continue;
    if (!reservePort(port, runId)) continue;
    await sleep(RESERVE_SETTLE_MS);
    if (holdsPort(port, runId)) return port;
  }
  throw new ServiceError(
    service,
    `cannot start: no free port found for port: 'auto' in ${base}-${Math.min(end, base + MAX_TRIES) - 1}`,
    `Free some ports there, or set portBase in the config to a range with free ports (below ${EPHEMERAL_START}).`,
  );
}

/** The service as it will run: with port: 'auto', a picked port (PORT and {port} filled in); otherwise as is. */
export async function withAutoPort(svc: ResolvedService, runId: string): Promise<ResolvedService> {
  if (!svc.autoPort) return svc;
  const port = await pickPort(svc.autoPort.base, runId, svc.name);
  return bindPort(svc, port, { setPortEnv: true });
}
