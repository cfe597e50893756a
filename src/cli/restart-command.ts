/** `cleanroom restart NAME`: stop that service's tree and start it again (re-reading the config), through up's supervisor. */
import { askSupervisor } from '../ops/supervisor-client.js';
import { findUpService } from '../ops/up-runs.js';
import { optionalConfig } from './ops-config.js';
import { err, out } from './style.js';

export async function restartCommand(name: string, opts: { config?: string }): Promise<number> {
  const project = await optionalConfig(opts.config);
  const u = findUpService(name, project?.cfg.root);
  process.stderr.write(`${err.dim('cleanroom:')} restarting ${name} (${u.upId})\n`);
  const reply = await askSupervisor(u.upId, { op: 'restart', name });
  if (!reply.ok) {
    process.stderr.write(`${reply.error}\n`);
    return 1;
  }
  for (const s of reply.services ?? []) process.stdout.write(`${s.name}  ${s.url}  ${out.dim(`pid ${s.pid}`)}\n`);
  return 0;
}
