/**
 * The config's shape as the user writes it, and the key lists the error messages use for "did you
 * mean …?". No zod here: this module is loaded on import, the zod schema only for a config that
 * fast-check.ts cannot accept.
 */

/** What to do when a service's `port` already answers before it starts (see the README's port rule). */
export type PortInUse = 'auto' | 'kill' | 'reuse' | 'error';
export const PORT_IN_USE: readonly PortInUse[] = ['auto', 'kill', 'reuse', 'error'];

/**
 * How readiness is checked: a URL string (GET answering 2xx/3xx), `{ url, status? }`, `{ port, host? }`
 * (TCP connect), `{ log: RegExp }` (a line of the service's output) or `{ check }` (your function).
 */
export type ReadyInput =
  | string
  | { url: string; status?: number | number[] }
  | { port: number; host?: string }
  | { log: RegExp }
  | { check: () => Promise<boolean> | boolean };

/** One service of the config. */
export interface ServiceInput {
  /** A string runs as a shell would run it; an array `[program, ...args]` runs directly. */
  command: string | string[];
  /** Folder to run in; relative paths resolve against the config file's folder. */
  cwd?: string;
  /** Merged over the runner's environment. */
  env?: Record<string, string>;
  /**
   * The port the service listens on: cleared before start, the default readiness check, freed after.
   * 'auto' picks a free one at start (from the config's portBase), handed over as PORT and `{port}`.
   */
  port?: number | 'auto';
  /** How readiness is checked (default: a TCP connect to `port`). */
  ready?: ReadyInput;
  /** How long to wait for ready, in ms (default 60000). */
  readyTimeout?: number;
  /** The first signal sent to the service's process group (default SIGTERM). */
  stopSignal?: NodeJS.Signals;
  /** How long to wait after stopSignal before SIGKILL, in ms (default 5000). */
  stopTimeout?: number;
  /** Run at teardown before the stop signal (`docker compose down`), in the service's cwd and env. */
  stopCommand?: string | string[];
  /** How long stopCommand may take, in ms (default 30000); then its group is SIGKILLed. */
  stopCommandTimeout?: number;
  /** Services that must be ready before this one starts. */
  dependsOn?: string[];
  /** If `port` already answers before start (default 'auto'). */
  portInUse?: PortInUse;
  /** With portInUse 'auto', outside CI: test against a live server already on the port (default false). */
  reuseExisting?: boolean;
}

/** The config: `{ services: { [name]: service } }`. `N` is the union of the service names. */
export interface ConfigInput<N extends string = string> {
  services: { [K in N]: ServiceInput };
  /** Print every service's output prefixed `[name]` (also CLEANROOM_VERBOSE=1). */
  verbose?: boolean;
  /** The default `portInUse` of every service. */
  portInUse?: PortInUse;
  /** The default `reuseExisting` of every service. */
  reuseExisting?: boolean;
  /** When a service dies or stops answering during the tests: end the run at once (default), or keep going. */
  onServiceExit?: 'end-run' | 'continue';
  /** Where `port: 'auto'` starts looking (default 8000; keep it below the ephemeral range, 32768). */
  portBase?: number;
  /** Folder that relative `cwd` values resolve against; set by the config loader. */
  root?: string;
}

/** Keys a user may write, per level (for "unknown key; did you mean …?"). `root` is the loader's, not suggested. */
export const TOP_KEYS = ['services', 'verbose', 'portInUse', 'reuseExisting', 'onServiceExit', 'portBase'] as const;
export const SERVICE_KEYS = [
  'command',
  'cwd',
  'env',
  'port',
  'ready',
  'readyTimeout',
  'stopSignal',
  'stopTimeout',
  'stopCommand',
  'stopCommandTimeout',
  'dependsOn',
  'portInUse',
  'reuseExisting',
] as const;
/** The object forms of `ready`, by the key that picks the form. */
export const READY_FORMS = { url: ['url', 'status'], port: ['port', 'host'], log: ['log'], check: ['check'] } as const;
export const READY_FORMS_TEXT =
  'must be a URL string, { url, status? }, { port, host? }, { log: RegExp } or { check: () => Promise<boolean> }';

/** Service names: what CLEANROOM_<NAME>_URL and a shell can carry without surprises. */
export const SERVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
