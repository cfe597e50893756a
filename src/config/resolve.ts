/** Validates a config and fills in every default, so the rest of cleanroom sees one complete shape. */
import { isAbsolute, resolve } from 'node:path';
import type { ConfigInput, PortInUse } from './types.js';
import { loadValidatorUnlessValid, validateConfig } from './validate.js';
import { bindPort } from './port-placeholders.js';

export const DEFAULTS = {
  readyTimeout: 60_000,
  stopSignal: 'SIGTERM' as NodeJS.Signals,
  stopTimeout: 5_000,
  stopCommandTimeout: 30_000,
  portInUse: 'auto' as PortInUse,
  reuseExisting: false,
  /** ops: where port: 'auto' starts looking. */
  portBase: 8000,
};

/** How readiness is checked, normalised. */
export type ReadySpec =
  | { kind: 'http'; url: string; status?: number[] }
  | { kind: 'tcp'; port: number; hosts: string[] }
  | { kind: 'log'; pattern: RegExp }
  | { kind: 'check'; fn: () => Promise<boolean> | boolean }
  | { kind: 'none' };

export interface ResolvedService {
  name: string;
  command: string | string[];
  cwd: string;
  env: Record<string, string>;
  port?: number;
  ready: ReadySpec;
  readyTimeout: number;
  stopSignal: NodeJS.Signals;
  stopTimeout: number;
  /** Run at teardown before the stop signal (`docker compose down`), in the service's cwd and env. */
  stopCommand?: { command: string | string[]; timeout: number };
  dependsOn: string[];
  portInUse: PortInUse;
  /** With portInUse 'auto', outside CI: use a live server already on the port instead of failing. */
  reuseExisting: boolean;
  /** ops: port: 'auto' — `port` is unset until start() picks one from `base` (ports/auto-port.ts). */
  autoPort?: { base: number };
}

export interface ResolvedConfig {
  services: ResolvedService[];
  verbose: boolean;
  /** When a service dies (or stops answering) during the tests: end the run at once, or keep going. */
  onServiceExit: 'end-run' | 'continue';
  root: string;
}

/** Loopback on both families: `localhost` may resolve to ::1 first, and servers bind either. */
export const LOOPBACK = ['127.0.0.1', '::1'];

/**
 * Validates `input` and applies defaults. Throws ConfigError listing every problem. Synchronous: a
 * valid config is accepted without zod; otherwise zod is loaded (require()) to word the problems.
 */
export function resolveConfig(input: unknown, opts: { root?: string; source?: string } = {}): ResolvedConfig {
  const cfg = validateConfig(input, opts);
  const root = cfg.root ?? opts.root ?? process.cwd();
  const envVerbose = process.env.CLEANROOM_VERBOSE;
  const verbose = envVerbose ? envVerbose !== '0' && envVerbose !== 'false' : (cfg.verbose ?? false);
  const services = Object.entries(cfg.services).map(([name, s]): ResolvedService => {
    let ready: ReadySpec;
    const r = s.ready;
    if (typeof r === 'string') ready = { kind: 'http', url: r };
    else if (r && 'url' in r) ready = { kind: 'http', url: r.url, ...(r.status !== undefined && { status: [r.status].flat() }) };
    else if (r && 'port' in r) ready = { kind: 'tcp', port: r.port, hosts: r.host ? [r.host] : LOOPBACK };
    else if (r && 'log' in r) ready = { kind: 'log', pattern: r.log };
    else if (r && 'check' in r) ready = { kind: 'check', fn: r.check };
    else if (s.port === 'auto') ready = { kind: 'tcp', port: 0, hosts: LOOPBACK }; // port 0: filled in at start
    else if (s.port !== undefined) ready = { kind: 'tcp', port: s.port, hosts: LOOPBACK };
    else ready = { kind: 'none' };
    const resolved: ResolvedService = {
      name,
      command: s.command,
      cwd: s.cwd ? (isAbsolute(s.cwd) ? s.cwd : resolve(root, s.cwd)) : root,
      env: s.env ?? {},
      ...(s.port === 'auto' && { autoPort: { base: cfg.portBase ?? DEFAULTS.portBase } }),
      ready,
      readyTimeout: s.readyTimeout ?? DEFAULTS.readyTimeout,
      stopSignal: s.stopSignal ?? DEFAULTS.stopSignal,
      stopTimeout: s.stopTimeout ?? DEFAULTS.stopTimeout,
      ...(s.stopCommand !== undefined && { stopCommand: { command: s.stopCommand, timeout: s.stopCommandTimeout ?? DEFAULTS.stopCommandTimeout } }),
      dependsOn: s.dependsOn ?? [],
      portInUse: s.portInUse ?? cfg.portInUse ?? DEFAULTS.portInUse,
      reuseExisting: s.reuseExisting ?? cfg.reuseExisting ?? DEFAULTS.reuseExisting,
    };
    // ops: a fixed port fills {port} placeholders and relative ready URLs now; 'auto' does at start.
    return typeof s.port === 'number' ? bindPort(resolved, s.port, { setPortEnv: false }) : resolved;
  });
  return { services, verbose, root, onServiceExit: cfg.onServiceExit ?? 'end-run' };
}

/** resolveConfig, loading the validator (zod) with import() first if the config may be invalid (what loadConfig() and start() do). */
export async function resolveConfigAsync(input: unknown, opts: { root?: string; source?: string } = {}): Promise<ResolvedConfig> {
  await loadValidatorUnlessValid(input);
  return resolveConfig(input, opts);
}

export type { ConfigInput };
