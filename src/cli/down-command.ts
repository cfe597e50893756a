/**
 * `cleanroom down [NAME…]`: stop what `cleanroom up` started (in this project, or --all on this
 * host), through its supervisor; then check with the OS that nothing of it is left and its ports
 * are free.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { CleanroomError } from '../errors.js';
import { isSameProcess } from '../os/process-table.js';
import { askSupervisor } from '../ops/supervisor-client.js';
import { liveUpServices, type UpService } from '../ops/up-runs.js';
import { isPortFree } from '../ports/probe.js';
import { recordedServiceTree } from '../run/warm-reuse.js';
import { optionalConfig } from './ops-config.js';
import { err, plural } from './style.js';

/** Ends a supervisor that does not answer: SIGTERM (it stops its services), then SIGKILL (its watchdog does). */
async function endSupervisor(u: UpService): Promise<void> {
  const { pid, startTime } = u.run.runner;
  if (!isSameProcess(pid, startTime)) return;
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 1000 && isSameProcess(pid, startTime); i++) await sleep(10);
  if (isSameProcess(pid, startTime)) process.kill(pid, 'SIGKILL');
}

export async function downCommand(names: string[], opts: { config?: string; all?: boolean }): Promise<number> {
  const project = opts.all ? undefined : await optionalConfig(opts.config);
  const up = liveUpServices(project?.cfg.root);
  if (names.length) {
    const missing = names.filter((n) => !up.some((u) => u.service.name === n));
    if (missing.length) {
      throw new CleanroomError(
        `cleanroom: not up${project ? ` in ${project.cfg.root}` : ''}: ${missing.join(', ')}` + (up.length ? ` (up: ${[...new Set(up.map((u) => u.service.name))].join(', ')})` : ' (nothing is up)'),
      );
    }
  }
  const targets = up.filter((u) => names.length === 0 || names.includes(u.service.name));
  if (targets.length === 0) {
    process.stderr.write(`${err.dim('cleanroom:')} nothing is up${project ? ` in ${project.cfg.root}` : ''}\n`);
    return 0;
  }
  // What each service is now, to check afterwards that all of it is gone.
  const before = targets.map((u) => ({ u, procs: recordedServiceTree(u.run, u.service) }));
  const byUp = new Map<string, UpService[]>();
  for (const u of targets) byUp.set(u.upId, [...(byUp.get(u.upId) ?? []), u]);
  for (const [upId, list] of byUp) {
    try {
      const reply = await askSupervisor(upId, { op: 'down', names: list.map((u) => u.service.name) });
      if (!reply.ok) throw new Error(reply.error);
    } catch {
      await endSupervisor(list[0]!);
    }
  }
  let code = 0;
  for (const { u, procs } of before) {
    const pids = procs.map((p) => p.pid);
    const left = procs.filter((p) => isSameProcess(p.pid, p.startTime)).map((p) => p.pid);
    const port = u.service.port;
    const free = port === undefined || (await isPortFree(port));
    if (left.length || !free) code = 1;
    process.stdout.write(
      `${u.service.name}: stopped (${plural(pids.length, 'process')})` +
        (port !== undefined ? (free ? `, port ${port} free` : `, port ${port} STILL HELD`) : '') +
        (left.length ? `; still alive: ${left.join(', ')}` : '') +
        '\n',
    );
  }
  return code;
}
