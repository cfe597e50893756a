/**
 * The runs of `cleanroom up` in the ledger. `up` runs one start() per service (so that each can be
 * restarted alone), all under one supervisor process: records sharing an upId are one `up`.
 */
import { join } from 'node:path';
import { CleanroomError } from '../errors.js';
import { readHostRecords, type LedgerService, type RunRecord } from '../ledger/ledger.js';
import { isRunAlive } from '../ledger/reap.js';
import { checkStateDir } from '../ledger/state-dir.js';

/** The state folder, or a CleanroomError saying why it cannot be used (the ops commands need it). */
export function requireStateDir(): string {
  const c = checkStateDir();
  if (!c.ok) throw new CleanroomError(`cleanroom: ${c.problem}`);
  return c.dir;
}

export function logDir(upId: string): string {
  return join(requireStateDir(), 'logs', upId);
}

export function serviceLogFile(upId: string, service: string): string {
  return join(logDir(upId), `${service}.log`);
}

export function supervisorLogFile(upId: string): string {
  return join(logDir(upId), 'supervisor.log');
}

/** The supervisor's control socket (the state folder is private, so is the socket). */
export function socketPath(upId: string): string {
  return join(requireStateDir(), `${upId}.sock`);
}

export interface UpService {
  upId: string;
  run: RunRecord;
  service: LedgerService;
}

/** Live `up` services of this host, optionally only those of one project (config root). */
export function liveUpServices(root?: string): UpService[] {
  return readHostRecords()
    .filter((r) => r.kind === 'up' && r.upId && isRunAlive(r) && (root === undefined || r.root === root))
    .flatMap((run) => run.services.map((service) => ({ upId: run.upId!, run, service })));
}

/**
 * The live `up` service of this name: of this project if there is one, else the only one on this
 * host. Throws a clear error when there is none, or several in other projects.
 */
export function findUpService(name: string, root: string | undefined): UpService {
  const all = liveUpServices().filter((u) => u.service.name === name);
  const here = root === undefined ? [] : all.filter((u) => u.run.root === root);
  if (here.length) return here[0]!;
  if (all.length === 1) return all[0]!;
  if (all.length === 0) {
    const names = [...new Set(liveUpServices().map((u) => u.service.name))];
    throw new CleanroomError(
      `cleanroom: no service "${name}" is running from \`cleanroom up\` on this host` +
        (names.length ? ` (running: ${names.join(', ')})` : ' (nothing is up)') +
        `. Start it with \`cleanroom up ${name}\`.`,
    );
  }
  throw new CleanroomError(
    `cleanroom: service "${name}" is up in ${all.length} projects (${all.map((u) => u.run.root ?? u.run.cwd).join(', ')}); run this from the project's folder, or pass --config.`,
  );
}
