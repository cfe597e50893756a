/**
 * Finds and loads `cleanroom.config.{ts,mts,cts,js,mjs,cjs}`: the file named by --config or
 * CLEANROOM_CONFIG, else the nearest one from the current folder up to the package root.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../errors.js';
import { resolveConfig, type ResolvedConfig } from './resolve.js';
import { loadValidatorUnlessValid } from './validate.js';

/** Every module format Node loads, in the order looked for. */
export const CONFIG_NAMES = ['ts', 'mts', 'cts', 'js', 'mjs', 'cjs'].map((ext) => `cleanroom.config.${ext}`);
const NAMES_TEXT = 'cleanroom.config.{ts,mts,cts,js,mjs,cjs}';

function kindOf(path: string): 'file' | 'dir' | undefined {
  try {
    const s = statSync(path);
    return s.isDirectory() ? 'dir' : 'file';
  } catch {
    return undefined;
  }
}

function configIn(dir: string): string | undefined {
  for (const name of CONFIG_NAMES) {
    const file = join(dir, name);
    if (kindOf(file) === 'file') return file;
  }
  return undefined;
}

/**
 * The nearest config file from `cwd` upwards, stopping at the package root (the nearest folder
 * with a package.json, itself included): a config of an enclosing project is never picked up.
 */
export function searchConfigFile(cwd = process.cwd()): string | undefined {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const found = configIn(dir);
    if (found) return found;
    if (existsSync(join(dir, 'package.json')) || dirname(dir) === dir) return undefined;
  }
}

/** The package root above `cwd` (the nearest folder with package.json), for messages. */
function packageRoot(cwd: string): string | undefined {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/** The config file to use: an explicit path, else CLEANROOM_CONFIG, else the nearest one (searchConfigFile). */
export function findConfigFile(explicit?: string, cwd = process.cwd()): string {
  const named = explicit ?? process.env.CLEANROOM_CONFIG;
  if (named) {
    const file = resolve(cwd, named);
    const how = explicit ? '--config' : 'CLEANROOM_CONFIG';
    const kind = kindOf(file);
    if (kind === undefined) throw new ConfigError([`${how} names ${file}, which does not exist`]);
    if (kind === 'dir') {
      const inside = configIn(file);
      throw new ConfigError([`${how} names ${file}, a folder: name the config file itself, e.g. ${inside ?? join(file, 'cleanroom.config.ts')}`]);
    }
    return file;
  }
  const found = searchConfigFile(cwd);
  if (found) return found;
  const top = packageRoot(cwd);
  const where = top && top !== resolve(cwd) ? `${cwd} or above it up to the package root ${top}` : cwd;
  throw new ConfigError([
    `no ${NAMES_TEXT} in ${where}: create cleanroom.config.ts, or name one with CLEANROOM_CONFIG=path or --config path`,
  ]);
}

/** Where in `file` an error points, from its message or stack ("…/cleanroom.config.ts:3:18"), as "line 3". */
function lineIn(file: string, text: string): string | undefined {
  const escaped = file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp(`(?:file://)?${escaped}:(\\d+)`).exec(text);
  return m ? `line ${m[1]}` : undefined;
}

/**
 * A SyntaxError from import() carries no location on Node 20; `node --check` prints it (only on
 * this failure path, so the ~50 ms spawn costs nothing when the config is fine).
 */
function syntaxErrorLine(file: string): string | undefined {
  const r = spawnSync(process.execPath, ['--check', file], { encoding: 'utf8', timeout: 10_000 });
  return lineIn(file, r.stderr ?? '');
}

/** "…/cleanroom.config.mjs (line 4): SyntaxError: Unexpected token '}'": the error's first line, no stack. */
function loadProblem(file: string, err: unknown): string {
  if (!(err instanceof Error)) return `${file} could not be loaded: ${String(err)}`;
  const lines = err.message.split('\n').map((l) => l.trim()).filter(Boolean);
  // jiti wraps a TypeScript parse error as Error("ParseError: …\n file:line:col").
  const first = (lines.find((l) => !lineIn(file, l)) ?? '').replace(/\s+/g, ' ');
  const named = /^\w*Error: /.test(first) ? first : `${err.name}: ${first}`;
  const at = lineIn(file, `${err.message}\n${err.stack ?? ''}`) ?? (err.name === 'SyntaxError' && /\.[mc]?js$/.test(file) ? syntaxErrorLine(file) : undefined);
  return `${file}${at ? ` (${at})` : ''} could not be loaded: ${named}`;
}

/** Loads, validates and resolves a config file. Relative `cwd` values resolve against its folder. */
export async function loadConfig(explicit?: string, cwd = process.cwd(), opts: { fresh?: boolean } = {}): Promise<ResolvedConfig> {
  const file = findConfigFile(explicit, cwd);
  let mod: unknown;
  try {
    if (/\.[mc]?js$/.test(file)) {
      // `fresh` (cleanroom restart re-reads an edited config): import() caches by URL, so a new query.
      const href = pathToFileURL(file).href + (opts.fresh ? `?t=${Date.now()}` : '');
      mod = ((await import(href)) as { default?: unknown }).default;
    } else {
      // Node 20 cannot import TypeScript; jiti transpiles it (and is what Vitest and Nuxt use for this).
      const { createJiti } = await import('jiti');
      mod = await createJiti(import.meta.url, { moduleCache: false }).import(file, { default: true });
    }
  } catch (err) {
    throw new ConfigError([loadProblem(file, err)]);
  }
  if (mod === undefined) throw new ConfigError([`${file} has no default export: export default defineConfig({ services: { ... } })`]);
  await loadValidatorUnlessValid(mod); // zod, only for a config that may be invalid
  return resolveConfig(mod, { root: dirname(file), source: file });
}
