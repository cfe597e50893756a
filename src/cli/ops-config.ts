/** The config for the operations commands: required by `up`, optional for the others (they work on the ledger). */
import { existsSync } from 'node:fs';
import { CONFIG_NAMES, findConfigFile, loadConfig } from '../config/load.js';
import type { ResolvedConfig } from '../config/resolve.js';
import { resolve } from 'node:path';

/** The config named by --config or CLEANROOM_CONFIG, or found here; undefined when none is there. */
export async function optionalConfig(explicit?: string): Promise<{ file: string; cfg: ResolvedConfig } | undefined> {
  const named = explicit ?? process.env.CLEANROOM_CONFIG;
  if (!named && !CONFIG_NAMES.some((n) => existsSync(resolve(n)))) return undefined;
  const file = findConfigFile(explicit);
  return { file, cfg: await loadConfig(file) };
}
