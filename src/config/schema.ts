/**
 * The config's per-field shape, checked with zod. Loaded lazily (importing zod costs ~90 ms, most of
 * cleanroom's import time): src/config/validate.ts loads this module only when fast-check.ts, the
 * zod-free check of a valid config, is not sure. A change of a rule here needs the same change there
 * (test/config/fast-check-agrees-with-zod.test.ts fails until both agree).
 * The cross-service checks (names, dependsOn, shared ports, ready URL vs port) are in cross-checks.ts,
 * run on the raw input so that a wrong type elsewhere never hides them.
 */
import { constants } from 'node:os';
import { z } from 'zod';
import { checkCommand, checkPort, checkReady, type AddProblem } from './field-checks.js';
import { PORT_IN_USE, type ConfigInput, type PortInUse, type ReadyInput, type ServiceInput } from './types.js';

const signalNames = Object.keys(constants.signals) as [NodeJS.Signals, ...NodeJS.Signals[]];

const port = z
  .number({ error: 'must be a whole number 1-65535' })
  .int('must be a whole number')
  .min(1, 'must be 1-65535')
  .max(65535, 'must be 1-65535');

/** A field checked by one of field-checks.ts's functions, its problems reported as zod issues. */
function checkedBy<T>(check: (v: unknown, add: AddProblem) => void) {
  return z.custom<T>(() => true).superRefine((v, ctx) => {
    check(v, (path, message) => ctx.addIssue({ code: 'custom', path, message }));
  });
}

const portInUseSchema = z.enum(PORT_IN_USE as [PortInUse, ...PortInUse[]], { error: `must be one of ${PORT_IN_USE.map((p) => `'${p}'`).join(', ')}` });

export const serviceSchema = z.strictObject(
  {
    command: checkedBy<string | string[]>(checkCommand),
    cwd: z.string({ error: 'must be a folder path' }).min(1, 'must not be empty').optional(),
    env: z.record(z.string(), z.string({ error: 'must be a string (environment values are strings)' }), { error: 'must be an object { NAME: "value" }' }).optional(),
    port: checkedBy<number | 'auto'>(checkPort).optional(),
    ready: checkedBy<ReadyInput | undefined>(checkReady).optional(),
    readyTimeout: z.number({ error: 'must be a number of ms' }).positive('must be greater than 0').optional(),
    stopSignal: z.enum(signalNames, { message: 'must be a signal name such as SIGTERM' }).optional(),
    stopTimeout: z.number({ error: 'must be a number of ms' }).nonnegative('must not be negative').optional(),
    stopCommand: checkedBy<string | string[]>(checkCommand).optional(),
    stopCommandTimeout: z.number({ error: 'must be a number of ms' }).positive('must be greater than 0').optional(),
    dependsOn: z.array(z.string({ error: 'must be service names' }), { error: 'must be a list of service names' }).optional(),
    portInUse: portInUseSchema.optional(),
    reuseExisting: z.boolean({ error: 'must be true or false' }).optional(),
  },
  { error: 'must be an object { command, port?, ready?, ... }' },
);

export const configSchema = z.strictObject(
  {
    services: z.record(z.string(), serviceSchema, { error: 'must be an object { name: { command, ... } }' }),
    verbose: z.boolean({ error: 'must be true or false' }).optional(),
    portInUse: portInUseSchema.optional(),
    reuseExisting: z.boolean({ error: 'must be true or false' }).optional(),
    onServiceExit: z.enum(['end-run', 'continue'], { error: "must be 'end-run' or 'continue'" }).optional(),
    portBase: port.optional(),
    root: z.string().optional(),
  },
  { error: 'must be an object { services: { ... } }' },
);

/** What a successful parse gives. */
export type ParsedConfig = ConfigInput;

// The schema and the hand-written types must agree: a drift is a type error here.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _serviceAgrees: Same<z.input<typeof serviceSchema>, ServiceInput> = true;
const _configAgrees: Same<z.input<typeof configSchema>, ConfigInput> = true;
void [_serviceAgrees, _configAgrees];
