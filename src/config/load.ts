/** Finds and loads `cleanroom.config.{ts,mts,js,mjs}` (or the file named by CLEANROOM_CONFIG / --config). */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../errors.js';
import { resolveConfig, type ResolvedConfig } from './resolve.js';

export const CONFIG_NAMES = ['cleanroom.config.ts', 'cleanroom.config.mts', 'cleanroom.config.js', 'cleanroom.config.mjs'];

/** The config file to use: an explicit path, else CLEANROOM_CONFIG, else the first default name in `cwd`. */
export function findConfigFile(explicit?: string, cwd = process.cwd()): string {
  const named = explicit ?? process.env.CLEANROOM_CONFIG;
  if (named) {
    const file = resolve(cwd, named);
    if (!existsSync(file)) throw new ConfigError([`config file ${file} does not exist`]);
    return file;
  }
  for (const name of CONFIG_NAMES) {
    const file = resolve(cwd, name);
    if (existsSync(file)) return file;
  }
  throw new ConfigError([
    `no config found in ${cwd}: create cleanroom.config.ts (or .mts/.js/.mjs), or name one with CLEANROOM_CONFIG=path or --config path`,
  ]);
}

/** Loads, validates and resolves a config file. Relative `cwd` values resolve against its folder. */
export async function loadConfig(explicit?: string, cwd = process.cwd(), opts: { fresh?: boolean } = {}): Promise<ResolvedConfig> {
  const file = findConfigFile(explicit, cwd);
  let mod: unknown;
  try {
    if (/\.m?js$/.test(file)) {
      // ops: `fresh` (cleanroom restart re-reads an edited config): import() caches by URL, so a new query.
      const href = pathToFileURL(file).href + (opts.fresh ? `?t=${Date.now()}` : '');
      mod = ((await import(href)) as { default?: unknown }).default;
    } else {
      // Node 20 cannot import TypeScript; jiti transpiles it (and is what Vitest and Nuxt use for this).
      const { createJiti } = await import('jiti');
      mod = await createJiti(import.meta.url, { moduleCache: false }).import(file, { default: true });
    }
  } catch (err) {
    throw new ConfigError([`could not load ${file}: ${(err as Error).message}`]);
  }
  if (mod === undefined) throw new ConfigError([`${file} has no default export: export default defineConfig({ services: { ... } })`]);
  return resolveConfig(mod, { root: dirname(file), source: file });
}
