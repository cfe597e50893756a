/**
 * The config's shape, validated with zod before anything starts. Every problem is collected and
 * reported together, including the cross-service ones (unknown dependsOn, cycles, shared ports).
 */
import { constants } from 'node:os';
import { z } from 'zod';

const signalNames = Object.keys(constants.signals) as [NodeJS.Signals, ...NodeJS.Signals[]];

const port = z.number().int('must be a whole number').min(1, 'must be 1-65535').max(65535, 'must be 1-65535');

const READY_FORMS = 'must be a URL string, { url, status? }, { port, host? }, { log: RegExp } or { check: () => Promise<boolean> }';

// ops: a ready URL may be relative ('/health', resolved against the service's port) or hold a {port}
// placeholder (filled in once port: 'auto' has picked one).
const READY_URL_MESSAGE = 'must be a URL such as http://localhost:8000/health, or a path such as /health (against the service\'s port)';
function isReadyUrl(v: string): boolean {
  if (v.startsWith('/')) return true;
  try {
    new URL(v.replaceAll('{port}', '1'));
    return true;
  } catch {
    return false;
  }
}
const readyUrl = z.string().refine(isReadyUrl, READY_URL_MESSAGE);

const readySchema = z.union([
  readyUrl,
  z.strictObject({
    url: readyUrl,
    status: z.union([z.number().int(), z.array(z.number().int()).min(1)]).optional(),
  }),
  z.strictObject({ port, host: z.string().min(1).optional() }),
  z.strictObject({ log: z.instanceof(RegExp, { message: 'must be a RegExp' }) }),
  z.strictObject({
    check: z.custom<() => Promise<boolean> | boolean>((v) => typeof v === 'function', { message: 'must be a function' }),
  }),
], { error: READY_FORMS });

const command = z.union([
  z.string().trim().min(1, 'must not be empty'),
  z
    .array(z.string())
    .min(1, 'must not be empty')
    .refine((a) => a.length === 0 || (a[0] ?? '').trim().length > 0, 'must start with a program name'),
]);

export const portInUseSchema = z.enum(['auto', 'kill', 'reuse', 'error']);

export const serviceSchema = z.strictObject({
  command,
  cwd: z.string().min(1).optional(),
  env: z.record(z.string(), z.string()).optional(),
  // ops: 'auto' picks a free port at start (from the config's portBase), handed over as PORT and {port}.
  port: z.union([port, z.literal('auto')], { error: "must be a port number 1-65535 or 'auto'" }).optional(),
  ready: readySchema.optional(),
  readyTimeout: z.number().positive('must be greater than 0').optional(),
  stopSignal: z.enum(signalNames, { message: 'must be a signal name such as SIGTERM' }).optional(),
  stopTimeout: z.number().nonnegative('must not be negative').optional(),
  stopCommand: command.optional(),
  stopCommandTimeout: z.number().positive('must be greater than 0').optional(),
  dependsOn: z.array(z.string()).optional(),
  portInUse: portInUseSchema.optional(),
  reuseExisting: z.boolean().optional(),
});

export const configSchema = z
  .strictObject({
    services: z.record(
      z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'service names use letters, digits, - and _'),
      serviceSchema,
    ),
    verbose: z.boolean().optional(),
    portInUse: portInUseSchema.optional(),
    reuseExisting: z.boolean().optional(),
    onServiceExit: z.enum(['end-run', 'continue']).optional(),
    /** ops: where port: 'auto' starts looking (default 8000; keep it below the ephemeral range, 32768). */
    portBase: port.optional(),
    /** Folder that relative `cwd` values resolve against; set by the config loader. */
    root: z.string().optional(),
  })
  .superRefine(crossServiceChecks, {
    // zod skips refinements once any field has a wrong type; run these anyway, so that one attempt
    // lists every problem. The checks below tolerate malformed fields.
    when: (payload) => isRecord(payload.value) && isRecord(payload.value.services),
  });

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

interface LooseService {
  dependsOn?: unknown;
  port?: unknown;
  ready?: unknown;
}

function crossServiceChecks(cfg: { services: Record<string, LooseService> }, ctx: z.RefinementCtx): void {
  const names = Object.keys(cfg.services);
  if (names.length === 0) ctx.addIssue({ code: 'custom', path: ['services'], message: 'must name at least one service' });
  const byPort = new Map<number, string>();
  const byEnvName = new Map<string, string>();
  for (const [name, svc] of Object.entries(cfg.services)) {
    if (!isRecord(svc)) continue;
    for (const dep of Array.isArray(svc.dependsOn) ? svc.dependsOn : []) {
      if (typeof dep !== 'string') continue;
      if (!(dep in cfg.services)) {
        ctx.addIssue({ code: 'custom', path: ['services', name, 'dependsOn'], message: `names unknown service "${dep}" (known: ${names.join(', ')})` });
      } else if (dep === name) {
        ctx.addIssue({ code: 'custom', path: ['services', name, 'dependsOn'], message: 'a service cannot depend on itself' });
      }
    }
    if (typeof svc.port === 'number') {
      const other = byPort.get(svc.port);
      if (other) ctx.addIssue({ code: 'custom', path: ['services', name, 'port'], message: `port ${svc.port} is also used by service "${other}"` });
      else byPort.set(svc.port, name);
    }
    // ops: a relative ready URL or a {port} placeholder needs a port to be filled in with.
    const readyUrl = typeof svc.ready === 'string' ? svc.ready : isRecord(svc.ready) && typeof svc.ready.url === 'string' ? svc.ready.url : undefined;
    if (readyUrl && svc.port === undefined && (readyUrl.startsWith('/') || readyUrl.includes('{port}'))) {
      ctx.addIssue({ code: 'custom', path: ['services', name, 'ready'], message: `${readyUrl} needs the service's port: set port (a number or 'auto'), or give a full URL` });
    }
    const envName = envNameOf(name);
    const clash = byEnvName.get(envName);
    if (clash) ctx.addIssue({ code: 'custom', path: ['services', name], message: `name clashes with "${clash}" in env var CLEANROOM_${envName}_URL` });
    else byEnvName.set(envName, name);
  }
  const cycle = findCycle(cfg.services);
  if (cycle) ctx.addIssue({ code: 'custom', path: ['services'], message: `dependsOn has a cycle: ${cycle.join(' -> ')}` });
}

export type ConfigInput = z.input<typeof configSchema>;
export type ServiceInput = z.input<typeof serviceSchema>;
export type ReadyInput = z.input<typeof readySchema>;
export type PortInUse = z.infer<typeof portInUseSchema>;

/** `my-api` → `MY_API`, for CLEANROOM_<NAME>_URL. */
export function envNameOf(service: string): string {
  return service.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

function findCycle(services: Record<string, LooseService>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === 'done') return undefined;
    if (state.get(name) === 'visiting') return [...stack.slice(stack.indexOf(name)), name];
    state.set(name, 'visiting');
    stack.push(name);
    const deps = services[name]?.dependsOn;
    for (const dep of Array.isArray(deps) ? deps : []) {
      if (typeof dep !== 'string' || dep === name || !(dep in services)) continue;
      const c = visit(dep);
      if (c) return c;
    }
    stack.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const name of Object.keys(services)) {
    const c = visit(name);
    if (c) return c;
  }
  return undefined;
}
