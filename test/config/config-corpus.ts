/**
 * Configs for the fast-check-vs-zod agreement test: the valid configs people write (the examples the
 * README shows, this repo's own, the benches', the shapes the tests use, every ready form and key),
 * and the odd values a mutation puts in their place.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createJiti } from 'jiti';

const ROOT = new URL('../..', import.meta.url).pathname;

/** The example config files (README's blocks are these files), loaded the way loadConfig() does. */
export const EXAMPLE_FILES = [
  'cleanroom.config.ts',
  'examples/cleanroom.config.ts',
  'examples/docker/cleanroom.config.ts',
  'examples/migrate/cleanroom.config.ts',
];

export async function exampleConfigs(): Promise<Array<[string, unknown]>> {
  // defineConfig is the identity: point the package's name at its source, not at a build.
  const jiti = createJiti(import.meta.url, { moduleCache: false, alias: { 'cleanroom-e2e': join(ROOT, 'src/config/define.ts') } });
  const out: Array<[string, unknown]> = [];
  for (const file of EXAMPLE_FILES) out.push([file, await jiti.import(join(ROOT, file), { default: true })]);
  // The benches' config reads its ports from the environment (bench/run.mjs sets them).
  Object.assign(process.env, { BENCH_API_PORT: '21001', BENCH_WEB_PORT: '21002', BENCH_READY_FILE: '/tmp/ready' });
  const bench = (await import(pathToFileURL(join(ROOT, 'bench/cleanroom.bench.config.mjs')).href)) as { default: unknown };
  out.push(['bench/cleanroom.bench.config.mjs', bench.default]);
  return out;
}

const node = process.execPath;

/** Hand-written valid configs, in the shapes the README and the tests use. */
export const WRITTEN: Array<[string, unknown]> = [
  ['one string command', { services: { api: { command: 'npm start' } } }],
  ['the README first example', { services: { api: { command: 'npm start', port: 3000 } } }],
  ['argv command, env, fixed port (bench/drivers/profile-start.mjs)', { services: { api: { command: [node, 'boot.mjs'], port: 21003, env: { PORT: '21003', BOOT_MS: '0' } } } }],
  ['a check function, no port', { services: { s: { command: [node, '-e', 'setInterval(()=>{},1000)'], ready: { check: () => true } } } }],
  ['an async check', { services: { s: { command: 'x', ready: { check: async () => Promise.resolve(true) } } } }],
  ['ready URL string', { services: { api: { command: 'x', port: 4101, ready: 'http://localhost:4101/health' } } }],
  ['ready https URL', { services: { api: { command: 'x', port: 443, ready: 'https://localhost/health' } } }],
  ['ready URL elsewhere, no port', { services: { api: { command: 'x', ready: 'http://api.internal:9000/health' } } }],
  ['ready path with a port', { services: { api: { command: 'x', port: 4102, ready: '/health' } } }],
  ['ready {port} placeholder with port auto', { services: { api: { command: 'x --port {port}', port: 'auto', ready: { url: 'http://localhost:{port}/' } } } }],
  ['ready url + one status', { services: { api: { command: 'x', port: 4103, ready: { url: 'http://localhost:4103/', status: 503 } } } }],
  ['ready url + statuses', { services: { api: { command: 'x', port: 4104, ready: { url: 'http://127.0.0.1:4104/', status: [200, 204] } } } }],
  ['ready tcp port', { services: { db: { command: 'x', ready: { port: 5432 } } } }],
  ['ready tcp port + host', { services: { db: { command: 'x', ready: { port: 5432, host: '127.0.0.1' } } } }],
  ['ready log line', { services: { web: { command: 'npm run dev', ready: { log: /ready in \d+ ms/ } } } }],
  ['ready log with a named group', { services: { web: { command: 'x', port: 'auto', ready: { log: /listening on (?<url>\S+)/ } } } }],
  [
    'every service key',
    {
      services: {
        db: { command: ['docker', 'compose', 'up', 'postgres'], port: 5432, readyTimeout: 120_000, stopCommand: ['docker', 'compose', 'down'], stopCommandTimeout: 30_000 },
        api: {
          command: 'npm run start:api',
          cwd: 'fixtures/backend',
          env: { NODE_ENV: 'test', EMPTY: '' },
          port: 8000,
          ready: 'http://localhost:8000/health',
          readyTimeout: 1,
          stopSignal: 'SIGINT',
          stopTimeout: 0,
          stopCommand: 'true',
          dependsOn: ['db'],
          portInUse: 'error',
          reuseExisting: true,
        },
      },
    },
  ],
  ['an absolute cwd', { services: { api: { command: 'x', cwd: '/tmp' } } }],
  ['every top-level key', { verbose: true, portInUse: 'kill', reuseExisting: false, onServiceExit: 'continue', portBase: 4100, services: { a: { command: 'x', port: 'auto' } } }],
  ['onServiceExit end-run, portInUse reuse', { onServiceExit: 'end-run', portInUse: 'reuse', services: { a: { command: 'x', portInUse: 'auto' } } }],
  ['root, as the loader sets it', { root: '/tmp', services: { a: { command: 'x' } } }],
  ['empty root string', { root: '', services: { a: { command: 'x' } } }],
  ['the ports at the edges', { portBase: 1, services: { a: { command: 'x', port: 1 }, b: { command: 'x', port: 65535 } } }],
  ['fractional timeouts', { services: { a: { command: 'x', readyTimeout: 0.5, stopTimeout: 2.5, stopCommand: 'y', stopCommandTimeout: 0.1 } } }],
  ['-0 stopTimeout', { services: { a: { command: 'x', stopTimeout: -0 } } }],
  ['a chain of dependsOn', { services: { a: { command: 'x' }, b: { command: 'x', dependsOn: ['a'] }, c: { command: 'x', dependsOn: ['a', 'b'] } } }],
  ['an empty dependsOn and env', { services: { a: { command: 'x', dependsOn: [], env: {} } } }],
  ['every signal name stopSignal', { services: { a: { command: 'x', stopSignal: 'SIGKILL' }, b: { command: 'x', stopSignal: 'SIGHUP' }, c: { command: 'x', stopSignal: 'SIGUSR2' } } }],
  [
    'optional keys written as undefined (cond ? x : undefined)',
    { verbose: undefined, portBase: undefined, services: { a: { command: 'x', port: undefined, ready: undefined, readyTimeout: process.env.NO_SUCH_VAR ? 1 : undefined, env: undefined, dependsOn: undefined, cwd: undefined, stopCommand: undefined } } },
  ],
  ['a config from JSON.parse', JSON.parse('{"services":{"api":{"command":["node","server.js"],"port":8001,"env":{"A":"1"},"dependsOn":[]}}}')],
  ['a frozen config', Object.freeze({ services: Object.freeze({ a: Object.freeze({ command: Object.freeze(['node', 'x']), env: Object.freeze({ A: 'b' }) }) }) })],
  ['services built by Object.fromEntries', { services: Object.fromEntries(['a', 'b', 'c'].map((n, i) => [n, { command: `node ${n}.js`, port: 4200 + i }])) }],
  ['numeric-looking service names (key order)', { services: { web: { command: 'x' }, '2': { command: 'x' }, '1': { command: 'x' } } }],
  ['service names with - and _', { services: { 'my-api': { command: 'x' }, my_db: { command: 'x' }, Web2: { command: 'x' } } }],
  ['a command with spaces around', { services: { a: { command: '  npm start  ' } } }],
  ['an argv command with empty args', { services: { a: { command: ['node', '', '-e', ''] } } }],
  ['many services', { services: Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`s${i}`, { command: [node, '-e', ''], port: 'auto' as const, dependsOn: i ? [`s${i - 1}`] : [] }])) }],
];

class Box {
  command = 'x';
}

/** A service written as a class instance: zod's object test takes any non-array object. */
export class ServiceClass {
  command = 'npm start';
  port = 3000;
}

/** Values to put anywhere: wrong types, edge numbers, odd objects. */
export const ODD_VALUES: unknown[] = [
  undefined,
  null,
  true,
  false,
  0,
  -0,
  1,
  1.5,
  -1,
  80,
  65535,
  65536,
  1e21,
  Number.MAX_SAFE_INTEGER + 2,
  Number.MIN_VALUE,
  NaN,
  Infinity,
  -Infinity,
  1n,
  '',
  ' ',
  'x',
  'auto',
  'SIGTERM',
  'sigterm',
  'SIGNOPE',
  'error',
  'continue',
  'end-run',
  'true',
  '3000',
  'http://localhost:1/',
  'ftp://localhost/',
  '/health',
  'localhost:80',
  [],
  [''],
  [' '],
  ['x'],
  ['x', 1],
  // eslint-disable-next-line no-sparse-arrays -- a hole where a string goes
  [, 'x'],
  {},
  { x: 1 },
  { A: 'b' },
  Object.create(null) as object,
  /re/,
  () => true,
  new Date(0),
  new Map([['command', 'x']]),
  new Box(),
  new String('x'),
  new Number(5),
  Symbol('s'),
  { url: 'http://localhost:1/' },
  { url: 'http://localhost:1/', status: 200 },
  { url: 'http://localhost:1/', status: 99 },
  { url: 'http://localhost:1/', status: [] },
  { port: 1 },
  { port: 1, host: '' },
  { port: 0 },
  { log: /x/ },
  { log: 'x' },
  { check: () => true },
  { check: true },
  { url: 'http://localhost:1/', log: /x/ },
  { command: 'x' },
  { command: 'x', port: 1 },
];
