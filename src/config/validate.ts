/**
 * Validates a config and words every problem for the user: the key's path, what was expected,
 * "is required", "did you mean …?". A valid config is accepted by fast-check.ts without zod: zod
 * alone costs ~90 ms to import (bench/import-cost.mjs), plus building the schema, and start() paid it
 * before its first spawn. zod is loaded (require()d, synchronously) only when that check is not sure,
 * and then it decides and words the problems, as before.
 */
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import { crossServiceProblems, type Problem } from './cross-checks.js';
import { closest, describeValue, didYouMean } from './did-you-mean.js';
import { acceptedConfig } from './fast-check.js';
import { SERVICE_KEYS, TOP_KEYS, type ConfigInput } from './types.js';
import type * as SchemaModule from './schema.js';

let schemaModule: typeof SchemaModule | undefined;

/**
 * Loads the schema (and zod) with import() ahead of a synchronous validation, and only when the
 * zod-free check is not sure that `input` is valid: a valid config never needs zod. start(),
 * loadConfig() and resolveConfigAsync() call it; without it, validateConfig() require()s the schema.
 */
export async function loadValidatorUnlessValid(input: unknown): Promise<void> {
  if (acceptedConfig(input) === undefined) schemaModule ??= await import('./schema.js');
}

function schemaNow(): typeof SchemaModule {
  if (schemaModule) return schemaModule;
  // resolveConfig() is synchronous and public, so the schema is require()d when first needed.
  // Node ≥ 20.19 (our engines) loads an ES module synchronously this way.
  const require = createRequire(import.meta.url);
  try {
    schemaModule = require('./schema.js') as typeof SchemaModule;
  } catch (err) {
    // Run from the TypeScript source (Vitest) there is no schema.js, and Node cannot require() the
    // .ts; jiti (the config loader) can. Never taken in a build, where schema.js is next to this file.
    if (!import.meta.url.endsWith('.ts')) throw err;
    const { createJiti } = require('jiti') as typeof import('jiti');
    schemaModule = createJiti(import.meta.url)('./schema.ts') as typeof SchemaModule;
  }
  return schemaModule;
}

/** `services.api.command`, `services["my api"]`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const p of path) {
    const key = String(p);
    out += /^[A-Za-z0-9_$-]+$/.test(key) ? `${out ? '.' : ''}${key}` : `[${JSON.stringify(key)}]`;
  }
  return out || 'the config';
}

function valueAt(input: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let v = input;
  for (const p of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

const REQUIRED_HINT: Record<string, string> = {
  services: 'is required: export default defineConfig({ services: { api: { command: "npm start", port: 3000 } } })',
};

function looksLikeService(v: unknown): boolean {
  return typeof v === 'object' && v !== null && 'command' in v;
}

/** One zod issue, as the lines a user reads. */
function wordIssue(issue: z.core.$ZodIssue, input: unknown): Problem[] {
  const path = issue.path as Array<string | number>;
  if (issue.code === 'unrecognized_keys') {
    const known: readonly string[] = path.length === 0 ? TOP_KEYS : path.length === 2 && path[0] === 'services' ? SERVICE_KEYS : [];
    return issue.keys.map((key) => {
      const misplaced = path.length === 0 && looksLikeService((input as Record<string, unknown>)[key]);
      const topLevel = known === SERVICE_KEYS && (TOP_KEYS as readonly string[]).includes(key);
      const hint = misplaced
        ? `; services go under services: { ${key}: { ... } }`
        : topLevel
          ? `; ${key} is a top-level option, next to services`
          : didYouMean(key, known);
      return { path: [...path, key], message: `unknown key${hint}${known.length && !hint ? ` (known: ${known.join(', ')})` : ''}` };
    });
  }
  const value = valueAt(input, path);
  if (issue.code === 'invalid_type' && value === undefined) {
    return [{ path, message: REQUIRED_HINT[String(path.at(-1))] ?? 'is required' }];
  }
  if (issue.code === 'invalid_value' && typeof value === 'string') {
    const values = issue.values.map(String);
    const near = values.includes(`SIG${value.toUpperCase()}`) ? `SIG${value.toUpperCase()}` : closest(value, values);
    return [{ path, message: `${issue.message} (got ${describeValue(value)})${near ? `; did you mean "${near}"?` : ''}` }];
  }
  const got = issue.code === 'invalid_type' && !issue.message.includes('(got') ? ` (got ${describeValue(value)})` : '';
  return [{ path, message: `${issue.message}${got}` }];
}

function isDirectory(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

function missingCwds(input: unknown, root: string): Problem[] {
  const services = (input as { services?: unknown } | null)?.services;
  if (typeof services !== 'object' || services === null) return [];
  return Object.entries(services as Record<string, unknown>).flatMap(([name, s]) => {
    const cwd = (s as { cwd?: unknown } | null)?.cwd;
    if (typeof cwd !== 'string' || !cwd) return [];
    const dir = resolve(root, cwd);
    return isDirectory(dir) ? [] : [{ path: ['services', name, 'cwd'], message: `folder ${dir} does not exist` }];
  });
}

/** Problems under services.<name> in the order of the services, then the rest, each group in the order found. */
function ordered(problems: Problem[], input: unknown): Problem[] {
  const services = (input as { services?: unknown } | null)?.services;
  const names = typeof services === 'object' && services !== null ? Object.keys(services) : [];
  const rank = (p: Problem) => (p.path[0] !== 'services' ? names.length + 1 : p.path.length === 1 ? -1 : names.indexOf(String(p.path[1])));
  return problems.map((p, i) => [p, i] as const).sort(([a, i], [b, j]) => rank(a) - rank(b) || i - j).map(([p]) => p);
}

/**
 * Validates `input`; throws a ConfigError listing every problem. `root` is where relative `cwd`
 * values resolve (the config file's folder).
 */
export function validateConfig(input: unknown, opts: { root?: string; source?: string } = {}): ConfigInput {
  // zod only when the zod-free check is not sure the config is valid (a valid one never loads it).
  const accepted = acceptedConfig(input);
  const parsed = accepted ? { success: true as const, data: accepted } : schemaNow().configSchema.safeParse(input);
  const problems = parsed.success ? [] : parsed.error.issues.flatMap((i) => wordIssue(i, input));
  problems.push(...crossServiceProblems(input));
  const root = (input as { root?: unknown } | null)?.root;
  problems.push(...missingCwds(input, typeof root === 'string' ? root : (opts.root ?? process.cwd())));
  const lines = [...new Set(ordered(problems, input).map((p) => `${formatPath(p.path)}: ${p.message}`))];
  if (lines.length || !parsed.success) throw new ConfigError(lines, opts.source);
  return parsed.data;
}
