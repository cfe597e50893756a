import { RUNNER_VAR, runnerTag } from '../kill/policy.js';
import { RUN_ID_VAR, SERVICE_VAR } from '../os/process-table.js';

/**
 * The tags every process of a run carries in its environment, inherited by every descendant: which
 * run and service it belongs to, and which runner started it. They find a descendant that left the
 * process group (setsid, double fork), and tell whether its run is still alive.
 */
export function tagEnv(runId: string, service: string): Record<string, string> {
  return { [RUN_ID_VAR]: runId, [SERVICE_VAR]: service, [RUNNER_VAR]: runnerTag() };
}
