import { loadConfig, searchConfigFile } from '../config/load.js';
import type { ResolvedConfig } from '../config/resolve.js';
import { trace } from '../run/trace.js';

/**
 * The config for a runner integration: CLEANROOM_CONFIG, else the nearest config from the current
 * folder up to its package root, else from the runner's own root (where its config file lives), so
 * `npx vitest --root sub/` still finds it.
 */
export async function loadForRunner(runnerRoot?: string): Promise<ResolvedConfig> {
  const file = process.env.CLEANROOM_CONFIG ? undefined : (searchConfigFile() ?? (runnerRoot ? searchConfigFile(runnerRoot) : undefined));
  const config = await loadConfig(file);
  trace('config loaded');
  return config;
}
