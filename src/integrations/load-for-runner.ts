import { loadConfig, searchConfigFile } from '../config/load.js';
import type { ResolvedConfig } from '../config/resolve.js';

/**
 * The config for a runner integration: CLEANROOM_CONFIG, else the nearest config from the current
 * folder up to its package root, else from the runner's own root (where its config file lives), so
 * `npx vitest --root sub/` still finds it.
 */
export async function loadForRunner(runnerRoot?: string): Promise<ResolvedConfig> {
  if (process.env.CLEANROOM_CONFIG) return loadConfig();
  const file = searchConfigFile() ?? (runnerRoot ? searchConfigFile(runnerRoot) : undefined);
  return loadConfig(file);
}
