/**
 * A zod-free acceptance check of a config, so that start() of a valid config never loads zod:
 * importing zod and building the schema costs ~100 ms of a fresh process (bench/import-cost.mjs,
 * README §Benchmarks), more than everything else start() does before the first spawn. zod stays the
 * validator of record, and the fallback: this answers only "certainly valid" (with what
 * `configSchema.parse` would have returned) or "not sure", and on "not sure" validate.ts runs zod,
 * which words every problem. So it may turn down a valid config (that only costs the 100 ms), but
 * must accept nothing schema.ts rejects: test/config/fast-check-agrees-with-zod.test.ts holds the
 * two to that over a corpus of configs and mutations of them.
 *
 * It follows zod 4's parse step by step, because its result is used as the parsed config:
 * - a strict object (the config, a service) is any non-array object; each `for…in` key must be a
 *   known one; the known keys are read in the schema's order (`key in input`, then `input[key]`, once
 *   each), and the result is a new object with those present, in that order, an `undefined` one too;
 * - a record (`services`, `env`) must be a plain object; its own enumerable keys are read in
 *   `Reflect.ownKeys` order into a new object;
 * - an array (`dependsOn`) is copied; every other value (`command`, `ready`, …) is passed on as is.
 * Where zod does something unusual (a symbol or `__proto__` key in a record, an own `constructor`
 * key, which zod's plain-object test looks at) this says "not sure" rather than copy it.
 */
import { constants } from 'node:os';
import { checkCommand, checkPort, checkReady, type AddProblem } from './field-checks.js';
import { PORT_IN_USE, type ConfigInput } from './types.js';

/** A field's verdict: the value for the parsed config, or BAD ("not sure": let zod decide). */
const BAD: unique symbol = Symbol('not sure');
type Field = (v: unknown) => unknown;

/** zod's object test: any object that is not an array (class instances, null-prototype objects too). */
function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Stricter than zod's plain-object test for records (see above), never looser. */
function isPlainRecord(v: unknown): v is Record<string, unknown> {
  if (!isObject(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return (proto === Object.prototype || proto === null) && !Object.hasOwn(v, 'constructor');
}

/** A field-checks.ts check (it reports through `add`; no report means fine). */
function checkedBy(check: (v: unknown, add: AddProblem) => void): Field {
  return (v) => {
    let fine = true;
    check(v, () => {
      fine = false;
    });
    return fine ? v : BAD;
  };
}

/** zod's `.optional()`: undefined passes without running the inner check. */
const optional =
  (field: Field): Field =>
  (v) =>
    v === undefined ? undefined : field(v);

const when =
  (ok: (v: unknown) => boolean): Field =>
  (v) =>
    ok(v) ? v : BAD;

/** z.number(): finite, not NaN. */
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isString = (v: unknown): v is string => typeof v === 'string';
const oneOf = (values: readonly string[]): Field => {
  const set = new Set<unknown>(values);
  return when((v) => set.has(v));
};

function strictObject(shape: Record<string, Field>): Field {
  return (v) => {
    if (!isObject(v)) return BAD;
    for (const key in v) if (!Object.hasOwn(shape, key)) return BAD; // an unknown key (an own __proto__ too)
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(shape)) {
      const present = key in v;
      const r = shape[key]!(v[key]);
      if (r === BAD) return BAD;
      if (present) out[key] = r;
      else if (r !== undefined) return BAD; // not `in` it, yet it has a value (a Proxy whose has() and get() disagree)
    }
    return out;
  };
}

function record(value: Field): Field {
  return (v) => {
    if (!isPlainRecord(v)) return BAD;
    const out: Record<string, unknown> = {};
    for (const key of Reflect.ownKeys(v)) {
      if (typeof key !== 'string' || key === '__proto__') return BAD;
      if (!Object.prototype.propertyIsEnumerable.call(v, key)) continue;
      const r = value(v[key]);
      if (r === BAD) return BAD;
      out[key] = r;
    }
    return out;
  };
}

function arrayOf(element: Field): Field {
  return (v) => {
    if (!Array.isArray(v)) return BAD;
    const out: unknown[] = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) {
      const r = element(v[i]);
      if (r === BAD) return BAD;
      out[i] = r;
    }
    return out;
  };
}

const port = when((v) => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 65535);
const boolean = when((v) => typeof v === 'boolean');
const positive = when((v) => isNumber(v) && v > 0);
const portInUse = oneOf(PORT_IN_USE);

// Same keys, same order, same rules as serviceSchema and configSchema in schema.ts.
const service = strictObject({
  command: checkedBy(checkCommand),
  cwd: optional(when((v) => isString(v) && v.length >= 1)),
  env: optional(record(when(isString))),
  port: optional(checkedBy(checkPort)),
  ready: optional(checkedBy(checkReady)),
  readyTimeout: optional(positive),
  stopSignal: optional(oneOf(Object.keys(constants.signals))),
  stopTimeout: optional(when((v) => isNumber(v) && v >= 0)),
  stopCommand: optional(checkedBy(checkCommand)),
  stopCommandTimeout: optional(positive),
  dependsOn: optional(arrayOf(when(isString))),
  portInUse: optional(portInUse),
  reuseExisting: optional(boolean),
});

const config = strictObject({
  services: record(service),
  verbose: optional(boolean),
  portInUse: optional(portInUse),
  reuseExisting: optional(boolean),
  onServiceExit: optional(oneOf(['end-run', 'continue'])),
  portBase: optional(port),
  root: optional(when(isString)),
});

/**
 * `input` as configSchema.parse would return it, when the schema certainly accepts it; undefined
 * when not sure (then ask zod). The cross-service checks and the cwd folders are not checked here.
 */
export function acceptedConfig(input: unknown): ConfigInput | undefined {
  const r = config(input);
  return r === BAD ? undefined : (r as ConfigInput);
}
