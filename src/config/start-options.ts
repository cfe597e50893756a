/**
 * start()'s arguments, checked before anything starts: a missing config, a logger without its
 * functions or an unknown `signals` mode is a ConfigError naming the argument, not a TypeError from
 * deep inside start-up. Also loads the config validator (zod) when the config may be invalid, so that
 * start()'s synchronous resolve can word its problems; a valid config never loads it (fast-check.ts).
 */
import { ConfigError } from '../errors.js';
import { describeValue, didYouMean } from './did-you-mean.js';
import { loadValidatorUnlessValid } from './validate.js';

/** The documented options (named in messages). */
const OPTION_KEYS = ['logger', 'signals', 'signal', 'reporter', 'endRun'] as const;
/** Also accepted: what `cleanroom up`'s supervisor passes (src/cli/), not part of the documented API. */
const INTERNAL_KEYS = ['kind', 'upId', 'logFile', 'warmReuse'];
const SIGNAL_MODES = ['auto', 'caller'];
const LOGGER_FNS = ['info', 'warn', 'error'];
const REPORTER_FNS = ['waiting', 'ready', 'reused', 'failed', 'done'];

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function missingFunctions(v: Record<string, unknown>, names: string[]): string[] {
  return names.filter((n) => typeof v[n] !== 'function');
}

function objectWith(what: string, v: unknown, fns: string[]): string | undefined {
  const shape = `an object with ${fns.slice(0, -1).join(', ')} and ${fns.at(-1)} functions`;
  if (!isObject(v)) return `must be ${shape}${what} (got ${describeValue(v)})`;
  const missing = missingFunctions(v, fns);
  return missing.length ? `must be ${shape}${what}; missing: ${missing.join(', ')}` : undefined;
}

/** The problems with start(config, options), as "name: what is wrong" lines. */
export function startArgumentProblems(config: unknown, options: unknown): string[] {
  const problems: string[] = [];
  if (config === undefined || config === null) {
    problems.push("config: is required: start(await loadConfig()) or start({ services: { api: { command: 'npm start', port: 3000 } } })");
  } else if (!isObject(config)) {
    problems.push(`config: must be a config object { services: { ... } } (got ${describeValue(config)})`);
  }
  if (options === undefined) return problems;
  if (!isObject(options)) {
    problems.push(`options: must be an object { ${OPTION_KEYS.join('?, ')}? } (got ${describeValue(options)})`);
    return problems;
  }
  for (const key of Object.keys(options)) {
    if (!(OPTION_KEYS as readonly string[]).includes(key) && !INTERNAL_KEYS.includes(key)) problems.push(`options.${key}: unknown option${didYouMean(key, OPTION_KEYS)}${didYouMean(key, OPTION_KEYS) ? '' : ` (known: ${OPTION_KEYS.join(', ')})`}`);
  }
  if (options.logger !== undefined) {
    const p = objectWith(' (console works)', options.logger, LOGGER_FNS);
    if (p) problems.push(`options.logger: ${p}`);
  }
  if (options.signals !== undefined && !SIGNAL_MODES.includes(options.signals as string)) {
    problems.push(`options.signals: must be 'auto' or 'caller' (got ${describeValue(options.signals)})`);
  }
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    problems.push(`options.signal: must be an AbortSignal, e.g. AbortSignal.timeout(30_000) (got ${describeValue(options.signal)})`);
  }
  if (options.reporter !== undefined) {
    const p = objectWith('', options.reporter, REPORTER_FNS);
    if (p) problems.push(`options.reporter: ${p}`);
  }
  return problems;
}

/** Throws a ConfigError if start()'s arguments are wrong; then loads the validator if needed. Call first in start(). */
export async function validateStartOptions(config: unknown, options: unknown): Promise<void> {
  const problems = startArgumentProblems(config, options);
  if (problems.length) throw new ConfigError(problems, undefined, 'invalid arguments to start()');
  // A resolved config (services: [...], what loadConfig() returns) is not validated again.
  if (!Array.isArray((config as { services?: unknown }).services)) await loadValidatorUnlessValid(config);
}
