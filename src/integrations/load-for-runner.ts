import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_NAMES, loadConfig } from '../config/load.js';
import type { ResolvedConfig } from '../config/resolve.js';

/**
 * The config for a runner integration: CLEANROOM_CONFIG, else the current folder, else the runner's
 * own root (where its config file lives), so `npx vitest --root sub/` still finds it.
 */
export async function loadForRunner(runnerRoot?: string): Promise<ResolvedConfig> {
  const inCwd = CONFIG_NAMES.some((n) => existsSync(join(process.cwd(), n)));
  if (process.env.CLEANROOM_CONFIG || inCwd || !runnerRoot) return loadConfig();
  return loadConfig(undefined, runnerRoot);
}
