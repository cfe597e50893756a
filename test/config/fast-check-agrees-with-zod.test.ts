/**
 * The zod-free check (src/config/fast-check.ts) against zod (src/config/schema.ts), the validator of
 * record: it never says "valid" for a config zod rejects, and when it says valid, its result is what
 * zod's parse returns (same keys in the same order, copies where zod copies, the same values where
 * zod passes them on), since resolveConfig uses it as the parsed config. It says "valid" for every
 * real config in the corpus, and for every mutation zod accepts, except the few odd shapes it turns
 * down on purpose (marked `unsure`), which only cost the zod load.
 */
import { inspect } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { acceptedConfig } from '../../src/config/fast-check.js';
import { configSchema } from '../../src/config/schema.js';
import { validateConfig } from '../../src/config/validate.js';
import { PORT_IN_USE, SERVICE_KEYS, TOP_KEYS } from '../../src/config/types.js';
import { ODD_VALUES, ServiceClass, WRITTEN, exampleConfigs } from './config-corpus.js';

type Path = Array<string | number>;
type Obj = Record<PropertyKey, unknown>;

const show = (v: unknown) => inspect(v, { depth: 4, breakLength: Infinity });
const where = (path: Path) => path.join('.') || '(top)';

/** How `fast` differs from zod's `zod` (both parsed from `input`), as lines; none when the same. */
function differences(fast: unknown, zod: unknown, input: unknown, path: Path = [], out: string[] = []): string[] {
  const zodPasses = Object.is(zod, input);
  if (zodPasses !== Object.is(fast, input)) {
    out.push(`${where(path)}: zod ${zodPasses ? 'passes the value on' : 'makes a copy'}, fast-check does not`);
    return out;
  }
  if (zodPasses) return out;
  if (typeof zod !== 'object' || zod === null || typeof fast !== 'object' || fast === null) {
    if (!Object.is(fast, zod)) out.push(`${where(path)}: zod ${show(zod)}, fast-check ${show(fast)}`);
    return out;
  }
  if (Object.getPrototypeOf(zod) !== Object.getPrototypeOf(fast) || Array.isArray(zod) !== Array.isArray(fast)) {
    out.push(`${where(path)}: zod gives ${show(zod)}, fast-check ${show(fast)} (another kind of object)`);
    return out;
  }
  const zodKeys = Reflect.ownKeys(zod).map(String);
  const fastKeys = Reflect.ownKeys(fast).map(String);
  if (zodKeys.join('\0') !== fastKeys.join('\0')) {
    out.push(`${where(path)}: zod's keys [${zodKeys.join(', ')}], fast-check's [${fastKeys.join(', ')}]`);
    return out;
  }
  for (const key of Reflect.ownKeys(zod)) {
    const a = Object.getOwnPropertyDescriptor(zod, key)!;
    const b = Object.getOwnPropertyDescriptor(fast, key)!;
    if (a.enumerable !== b.enumerable || a.writable !== b.writable || 'value' in a !== 'value' in b) {
      out.push(`${where([...path, String(key)])}: another kind of property`);
    }
    const inner = typeof input === 'object' && input !== null ? (input as Obj)[key] : undefined;
    differences((fast as Obj)[key], (zod as Obj)[key], inner, [...path, String(key)], out);
  }
  return out;
}

interface Case {
  label: string;
  input: unknown;
  /** An odd shape fast-check is allowed to be unsure of (then zod decides). */
  unsure?: boolean;
}

interface Verdicts {
  /** fast-check said valid, zod rejects: must never happen. */
  wronglyAccepted: string[];
  /** fast-check said valid with another result than zod's. */
  otherResult: string[];
  /** zod accepts, fast-check is not sure (and the case is not marked unsure). */
  turnedDown: string[];
  zodAccepted: number;
  zodRejected: number;
}

function judge(cases: Case[]): Verdicts {
  const v: Verdicts = { wronglyAccepted: [], otherResult: [], turnedDown: [], zodAccepted: 0, zodRejected: 0 };
  for (const c of cases) {
    const zod = configSchema.safeParse(c.input);
    const fast = acceptedConfig(c.input);
    if (zod.success) v.zodAccepted++;
    else v.zodRejected++;
    if (fast !== undefined && !zod.success) v.wronglyAccepted.push(`${c.label}: zod says ${zod.error.issues.map((i) => `${where(i.path as Path)}: ${i.message}`).join('; ')}`);
    else if (fast !== undefined && zod.success) v.otherResult.push(...differences(fast, zod.data, c.input).map((d) => `${c.label}: ${d}`));
    else if (zod.success && !c.unsure) v.turnedDown.push(c.label);
  }
  return v;
}

// ---- mutations ----------------------------------------------------------------------------------

const DELETE = Symbol('delete');

/** A deep copy of the plain objects and arrays of `v`; anything else (functions, RegExps, class instances) kept as is. */
function copy(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(copy);
  if (typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, copy(x)]));
  }
  return v;
}

function withValue(base: unknown, path: Path, value: unknown): unknown {
  const root = copy(base);
  let at = root as Obj;
  for (const p of path.slice(0, -1)) at = at[p] as Obj;
  const last = path.at(-1)!;
  if (value === DELETE) delete at[last];
  else at[last] = value;
  return root;
}

const isContainer = (v: unknown): v is Obj => Array.isArray(v) || (typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype);

/** Every path into the plain objects and arrays of `v`. */
function pathsOf(v: unknown, path: Path = []): Path[] {
  if (!isContainer(v)) return [];
  return Object.keys(v).flatMap((k) => {
    const p = [...path, Array.isArray(v) ? Number(k) : k];
    return [p, ...pathsOf(v[k], p)];
  });
}

const UNKNOWN_KEYS = ['bogus', 'Command', 'servces', 'services', 'verbose', 'command', 'status', 'root', 'toString', 'hasOwnProperty', 'then'];

function mutations(name: string, base: Obj): Case[] {
  const cases: Case[] = [];
  const add = (label: string, input: unknown, unsure = false) => cases.push({ label: `${name}: ${label}`, input, unsure });
  // Every value, and its deletion, replaced by every odd value.
  for (const path of pathsOf(base)) {
    add(`${where(path)} deleted`, withValue(base, path, DELETE));
    for (const odd of ODD_VALUES) add(`${where(path)} = ${show(odd)}`, withValue(base, path, odd));
  }
  // Every key, written or not, at each level, set to every odd value.
  const services = Object.keys(base.services as Obj);
  for (const key of [...TOP_KEYS, 'root']) for (const odd of ODD_VALUES) add(`${key} = ${show(odd)}`, withValue(base, [key], odd));
  for (const s of services) {
    for (const key of SERVICE_KEYS) for (const odd of ODD_VALUES) add(`services.${s}.${key} = ${show(odd)}`, withValue(base, ['services', s, key], odd));
  }
  // Unknown keys (and keys of another level) at every level, records included (a new entry there).
  const objects = [[] as Path, ...pathsOf(base).filter((p) => {
    const v = p.reduce<unknown>((o, k) => (o as Obj)[k], base);
    return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
  })];
  for (const at of objects) {
    for (const key of UNKNOWN_KEYS) for (const value of [1, 'x', undefined, { command: 'x' }]) add(`${where([...at, key])} = ${show(value)} added`, withValue(base, [...at, key], value));
  }
  return cases;
}

/** Odd shapes: prototypes, getters, non-enumerable and symbol keys, __proto__, class instances. */
function shapes(name: string, base: Obj): Case[] {
  const cases: Case[] = [];
  const add = (label: string, make: (c: Obj) => unknown, unsure = false) => cases.push({ label: `${name}: ${label}`, input: make(copy(base) as Obj), unsure });
  const first = Object.keys(base.services as Obj)[0]!;
  const svc = (c: Obj) => (c.services as Obj)[first] as Obj;
  const nullProto = (o: Obj): Obj => Object.assign(Object.create(null) as Obj, o);
  add('every object with a null prototype', (c) => {
    const services = nullProto(Object.fromEntries(Object.entries(c.services as Obj).map(([k, s]) => [k, nullProto(s as Obj)])));
    return nullProto({ ...c, services });
  });
  add('env with a null prototype', (c) => ({ ...c, services: { ...(c.services as Obj), [first]: { ...svc(c), env: nullProto({ A: 'b' }) } } }));
  add('the config as a class instance', (c) => Object.assign(new (class Config {})(), c));
  add('services as a class instance', (c) => ({ ...c, services: Object.assign(new (class Services {})(), c.services) }));
  add('env as a class instance', (c) => ({ ...c, services: { ...(c.services as Obj), [first]: { ...svc(c), env: Object.assign(new (class Env {})(), { A: 'b' }) } } }));
  add('a service as a class instance', (c) => ({ ...c, services: { ...(c.services as Obj), [first]: new ServiceClass() } }));
  add('a service as a Map', (c) => ({ ...c, services: { ...(c.services as Obj), [first]: new Map(Object.entries(svc(c))) } }));
  add('the config as an array with services', (c) => Object.assign([], c));
  add('services as an array', (c) => ({ ...c, services: [svc(c)] }));
  add('a getter for services', (c) => Object.defineProperty({ ...c }, 'services', { get: () => c.services, enumerable: true }));
  add('a getter for command', (c) => {
    const s = svc(c);
    const command = s.command;
    return Object.defineProperty(s, 'command', { get: () => command, enumerable: true }) && c;
  });
  add('a getter for an env value', (c) => {
    svc(c).env = Object.defineProperty({}, 'A', { get: () => 'b', enumerable: true });
    return c;
  });
  add('a getter for a wrong port', (c) => Object.defineProperty(svc(c), 'port', { get: () => -1, enumerable: true }) && c);
  add('a non-enumerable known key', (c) => Object.defineProperty(svc(c), 'readyTimeout', { value: 1000, enumerable: false }) && c);
  add('a non-enumerable wrong known key', (c) => Object.defineProperty(svc(c), 'readyTimeout', { value: -1, enumerable: false }) && c);
  add('a non-enumerable unknown key', (c) => Object.defineProperty(svc(c), 'bogus', { value: 1, enumerable: false }) && c);
  add('a non-enumerable service', (c) => Object.defineProperty(c.services as Obj, 'hidden', { value: { command: 5 }, enumerable: false }) && c);
  add('a non-enumerable env entry', (c) => ((svc(c).env = Object.defineProperty({}, 'A', { value: 5, enumerable: false })), c));
  add('an inherited known key', (c) => Object.assign(Object.create({ verbose: true }) as Obj, c));
  add('an inherited unknown key', (c) => Object.assign(Object.create({ bogus: true }) as Obj, c));
  add('an inherited wrong known key', (c) => Object.assign(Object.create({ verbose: 'yes' }) as Obj, c));
  add('an inherited service key', (c) => ({ ...c, services: { ...(c.services as Obj), [first]: Object.assign(Object.create({ port: 3001 }) as Obj, svc(c)) } }));
  add('a symbol key on the config', (c) => ({ ...c, [Symbol('x')]: 1 }));
  add('a symbol key on a service', (c) => ((svc(c)[Symbol('x')] = 1), c));
  add('a symbol key in services', (c) => (((c.services as Obj)[Symbol('x')] = { command: 'x' }), c), true);
  add('a symbol key in env', (c) => ((svc(c).env = { [Symbol('x')]: 'y' }), c), true);
  add('a non-enumerable symbol key in env', (c) => ((svc(c).env = Object.defineProperty({ A: 'b' }, Symbol('x'), { value: 'y', enumerable: false })), c), true);
  add('an own __proto__ key on the config', (c) => Object.assign(JSON.parse('{"__proto__": {"verbose": true}}') as Obj, c));
  add('an own __proto__ key on a service', (c) => ((c.services as Obj)[first] = Object.assign(JSON.parse('{"__proto__": 1}') as Obj, svc(c))) && c);
  add('an own __proto__ service', (c) => ({ ...c, services: Object.assign(JSON.parse('{"__proto__": {"command": "x"}}') as Obj, c.services) }), true);
  add('an own __proto__ env entry', (c) => ((svc(c).env = JSON.parse('{"__proto__": "x", "A": "b"}') as Obj), c), true);
  add('an own __proto__ env entry, not a string', (c) => ((svc(c).env = JSON.parse('{"__proto__": 5}') as Obj), c), true);
  add('an env entry named constructor', (c) => ((svc(c).env = { constructor: 'x' }), c), true);
  add('an env entry named constructor, a function', (c) => ((svc(c).env = { constructor: () => 'x' }), c), true);
  add('a service named constructor', (c) => ({ ...c, services: { ...(c.services as Obj), constructor: { command: 'x' } } }), true);
  add('a frozen config', (c) => Object.freeze(c));
  add('dependsOn as an array subclass', (c) => ((svc(c).dependsOn = Object.assign(new (class Deps extends Array<string> {})(), [])), c));
  add('dependsOn with a hole', (c) => ((svc(c).dependsOn = Object.assign(new Array<string>(2), { 1: first })), c));
  add('dependsOn with an extra property', (c) => ((svc(c).dependsOn = Object.assign([], { extra: 1 })), c));
  add('a command array with a hole', (c) => ((svc(c).command = Object.assign(new Array<string>(3), { 0: 'node', 2: 'x' })), c));
  add('a port of Number.EPSILON + 1', (c) => ((svc(c).port = 1 + Number.EPSILON), c));
  add('a ready of a class instance with url', (c) => ((svc(c).ready = Object.assign(new (class R {})(), { url: 'http://x/' })), c));
  add('services with a Proxy service', (c) => ({ ...c, services: { ...(c.services as Obj), [first]: new Proxy(svc(c), {}) } }));
  // has() says no key is there, get() still answers: zod finds no command; the parsed service must not lack one.
  add('a Proxy service whose has() denies its keys', (c) => ({ ...c, services: { ...(c.services as Obj), [first]: new Proxy(svc(c), { has: () => false }) } }));
  return cases;
}

// ---- random configs -------------------------------------------------------------------------------

/** mulberry32: a small seeded PRNG, so a failure is reproducible from the seed. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const GOOD_SERVICE: Record<string, unknown[]> = {
  command: ['npm start', ['node', 'x'], 'x'],
  cwd: ['.', '/tmp', 'sub'],
  env: [{}, { A: '1', B: '' }],
  port: [3000, 'auto', 1, 65535, undefined],
  ready: ['http://localhost:3000/', '/health', { url: 'http://localhost:{port}/' }, { port: 3000 }, { port: 1, host: '::1' }, { log: /x/ }, { check: () => true }, { url: 'http://localhost:3000/', status: [200] }],
  readyTimeout: [1, 60_000, 0.5],
  stopSignal: ['SIGTERM', 'SIGINT', 'SIGKILL'],
  stopTimeout: [0, 5000, -0],
  stopCommand: ['x', ['a', 'b']],
  stopCommandTimeout: [1, 30_000],
  dependsOn: [[], ['api'], ['db', 'web']],
  portInUse: [...PORT_IN_USE],
  reuseExisting: [true, false],
};
const GOOD_TOP: Record<string, unknown[]> = {
  verbose: [true, false],
  portInUse: [...PORT_IN_USE],
  reuseExisting: [true, false],
  onServiceExit: ['end-run', 'continue'],
  portBase: [1, 4100, 65535],
  root: ['', '/tmp'],
};

function randomConfig(rand: () => number): unknown {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const value = (good: unknown[]) => (rand() < 0.8 ? pick(good) : pick(ODD_VALUES));
  const cfg: Obj = {};
  for (const [key, good] of Object.entries(GOOD_TOP)) if (rand() < 0.3) cfg[key] = value(good);
  if (rand() < 0.97) {
    const services: Obj = {};
    const n = 1 + Math.floor(rand() * 3);
    for (let i = 0; i < n; i++) {
      const s: Obj = {};
      for (const [key, good] of Object.entries(GOOD_SERVICE)) if (key === 'command' ? rand() < 0.97 : rand() < 0.3) s[key] = value(good);
      if (rand() < 0.03) s[pick(['bogus', 'verbose', 'status'])] = 1;
      services[pick(['api', 'web', 'db', 'my api', 'x'])] = rand() < 0.97 ? s : pick(ODD_VALUES);
    }
    cfg.services = rand() < 0.97 ? services : pick(ODD_VALUES);
  }
  if (rand() < 0.03) cfg[pick(['bogus', 'command', 'port'])] = 1;
  return cfg;
}

// ---- the tests ----------------------------------------------------------------------------------

describe('fast-check agrees with zod', () => {
  let corpus: Array<[string, unknown]> = [];
  beforeAll(async () => {
    corpus = [...(await exampleConfigs()), ...WRITTEN];
  });

  it('accepts every real config, with what zod returns for it', () => {
    expect(corpus.length).toBeGreaterThan(30);
    for (const [label, input] of corpus) {
      const zod = configSchema.safeParse(input);
      expect(zod.error?.issues, `${label}: the corpus holds valid configs only`).toBeUndefined();
      const fast = acceptedConfig(input);
      expect(fast, `${label}: fast-check is not sure`).toBeDefined();
      expect(differences(fast, zod.data, input), label).toEqual([]);
    }
  });

  it('validateConfig gives zod\'s result for every real config', () => {
    for (const [label, input] of corpus) {
      const zod = configSchema.parse(input);
      expect(differences(validateConfig(input, { root: new URL('../..', import.meta.url).pathname }), zod, input), label).toEqual([]);
    }
  });

  it('mutations of every real config: each key with each wrong type, range and unknown key', () => {
    const cases = corpus.flatMap(([label, input]) => mutations(label, input as Obj));
    const v = judge(cases);
    expect(v.wronglyAccepted).toEqual([]);
    expect(v.otherResult).toEqual([]);
    expect(v.turnedDown).toEqual([]);
    // Both verdicts were exercised, many times over (a corpus that only checks one side proves little).
    expect(v.zodRejected).toBeGreaterThan(10_000);
    expect(v.zodAccepted).toBeGreaterThan(5_000);
  });

  it('odd shapes: prototypes, getters, hidden and symbol keys, __proto__, class instances, holes', () => {
    const cases = corpus.flatMap(([label, input]) => shapes(label, input as Obj));
    const v = judge(cases);
    expect(v.wronglyAccepted).toEqual([]);
    expect(v.otherResult).toEqual([]);
    expect(v.turnedDown).toEqual([]);
    // Where it is allowed to be unsure, it is: it never guesses on these.
    for (const c of cases.filter((c) => c.unsure)) expect(acceptedConfig(c.input), c.label).toBeUndefined();
    expect(v.zodAccepted).toBeGreaterThan(0);
    expect(v.zodRejected).toBeGreaterThan(0);
  });

  it('random configs (seeded): the same verdict as zod on every one', () => {
    const rand = prng(20_260_709);
    const cases = Array.from({ length: 20_000 }, (_, i) => ({ label: `random #${i}`, input: randomConfig(rand) }));
    const v = judge(cases);
    expect(v.wronglyAccepted).toEqual([]);
    expect(v.otherResult).toEqual([]);
    expect(v.turnedDown).toEqual([]);
    expect(v.zodRejected).toBeGreaterThan(2_000);
    expect(v.zodAccepted).toBeGreaterThan(2_000);
  });

  it('inputs that are not objects at all', () => {
    const v = judge([undefined, null, 0, 'services', [], [{ services: {} }], () => ({ services: {} }), Symbol('x'), 1n].map((input) => ({ label: show(input), input })));
    expect(v.wronglyAccepted).toEqual([]);
    expect(v.zodAccepted).toBe(0);
  });
});
