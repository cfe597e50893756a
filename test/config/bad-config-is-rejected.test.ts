/**
 * A bad config is rejected by start() with a ConfigError before anything starts: every valid service
 * here would leave a marker file the moment its shell runs, and no marker may appear.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { ConfigError, start, type CleanroomConfig } from '../../src/index.js';
import { silentLogger } from '../../src/run/log.js';
import { processesWithEnv, rejectionOf, tempDir, testMark, waitFor } from '../helpers/api.js';
import { freePort } from '../helpers/os.js';

/** A service that touches `marker` as soon as it is spawned (a string command: through a shell), then idles. */
function touching(marker: string, mark: string, extra: Record<string, unknown> = {}) {
  return { command: `touch "${marker}" && exec sleep 30`, env: { TEST_MARK: mark }, ...extra };
}

/** start() must reject with a ConfigError and start nothing; returns the error. */
async function expectRejected(config: unknown, marker: string, mark: string): Promise<ConfigError> {
  const { error } = await rejectionOf(start(config as CleanroomConfig, { logger: silentLogger }));
  expect(error).toBeInstanceOf(ConfigError);
  await sleep(150); // a wrongly spawned service would have touched its marker by now
  expect(existsSync(marker), 'a service was started despite the bad config').toBe(false);
  expect(processesWithEnv('TEST_MARK', mark)).toEqual([]);
  expect(error.message).toContain('nothing was started');
  return error as ConfigError;
}

function setup() {
  const marker = join(tempDir(), 'started');
  const mark = testMark();
  return { marker, mark, svc: (extra: Record<string, unknown> = {}) => touching(marker, mark, extra) };
}

describe('bad configs are rejected before anything starts', () => {
  it('control: the same marker service with a valid config does start (so the marker check can fail)', async () => {
    const { marker, mark, svc } = setup();
    const services = await start({ services: { a: svc() } }, { logger: silentLogger });
    try {
      await waitFor('the marker', () => existsSync(marker));
    } finally {
      await services.stop();
    }
    expect(processesWithEnv('TEST_MARK', mark)).toEqual([]);
  });

  it('dependsOn naming an unknown service', async () => {
    const { marker, mark, svc } = setup();
    const err = await expectRejected({ services: { a: svc({ dependsOn: ['nope'] }) } }, marker, mark);
    expect(err.problems).toEqual(['services.a.dependsOn: names unknown service "nope" (known: a)']);
  });

  it('a dependency cycle, shown in the message', async () => {
    const { marker, mark, svc } = setup();
    const err = await expectRejected(
      { services: { a: svc({ dependsOn: ['b'] }), b: svc({ dependsOn: ['c'] }), c: svc({ dependsOn: ['a'] }) } },
      marker,
      mark,
    );
    expect(err.problems).toHaveLength(1);
    expect(err.message).toContain('dependsOn has a cycle: a -> b -> c -> a');
  });

  it('a service depending on itself', async () => {
    const { marker, mark, svc } = setup();
    const err = await expectRejected({ services: { a: svc({ dependsOn: ['a'] }) } }, marker, mark);
    expect(err.message).toContain('services.a.dependsOn: a service cannot depend on itself');
  });

  it('two services on one port', async () => {
    const { marker, mark, svc } = setup();
    const port = await freePort();
    const err = await expectRejected({ services: { a: svc({ port }), b: svc({ port }) } }, marker, mark);
    expect(err.problems).toEqual([`services.b.port: port ${port} is also used by service "a"`]);
  });

  it.each([0, 65536, 70000, 80.5, -1])('port %s', async (port) => {
    const { marker, mark, svc } = setup();
    const err = await expectRejected({ services: { a: svc({ port }) } }, marker, mark);
    expect(err.problems).toHaveLength(1);
    expect(err.problems[0]).toMatch(/^services\.a\.port: /);
  });

  it('port out of range says the range', async () => {
    const { marker, mark, svc } = setup();
    const err = await expectRejected({ services: { a: svc({ port: 70000 }) } }, marker, mark);
    expect(err.problems).toEqual(['services.a.port: must be 1-65535']);
  });

  it.each([
    ['an empty string', ''],
    ['a blank string', '   '],
    ['an empty array', []],
    ['an array without a program', ['', 'arg']],
  ])('empty command, %s: one problem', async (_what, command) => {
    const { marker, mark, svc } = setup();
    const err = await expectRejected({ services: { ok: svc(), bad: { command } } }, marker, mark);
    expect(err.problems).toHaveLength(1);
    expect(err.problems[0]).toMatch(/^services\.bad\.command: /);
  });

  it('negative stopTimeout', async () => {
    const { marker, mark, svc } = setup();
    const err = await expectRejected({ services: { a: svc({ stopTimeout: -1 }) } }, marker, mark);
    expect(err.problems).toEqual(['services.a.stopTimeout: must not be negative']);
  });

  it.each([-1, 0])('readyTimeout %s', async (readyTimeout) => {
    const { marker, mark, svc } = setup();
    const err = await expectRejected({ services: { a: svc({ readyTimeout }) } }, marker, mark);
    expect(err.problems).toEqual(['services.a.readyTimeout: must be greater than 0']);
  });

  it('an unknown top-level key', async () => {
    const { marker, mark, svc } = setup();
    const err = await expectRejected({ services: { a: svc() }, verbos: true }, marker, mark);
    expect(err.problems).toEqual(['verbos: unknown key; did you mean "verbose"?']);
  });

  it('an unknown key in a service', async () => {
    const { marker, mark, svc } = setup();
    const err = await expectRejected({ services: { a: svc({ readyTimout: 5000 }) } }, marker, mark);
    expect(err.problems).toEqual(['services.a.readyTimout: unknown key; did you mean "readyTimeout"?']);
  });

  it('a bad stopSignal', async () => {
    const { marker, mark, svc } = setup();
    const err = await expectRejected({ services: { a: svc({ stopSignal: 'SIGNOPE' }) } }, marker, mark);
    expect(err.problems).toEqual(['services.a.stopSignal: must be a signal name such as SIGTERM (got "SIGNOPE")']);
  });

  it('several problems at once: every one is listed', async () => {
    const { marker, mark, svc } = setup();
    const port = await freePort();
    const err = await expectRejected(
      {
        services: {
          a: svc({ port, dependsOn: ['ghost'], stopTimeout: -5 }),
          b: svc({ port, readyTimeout: 0, colour: 'red' }),
          c: { command: '' },
        },
        extra: 1,
      },
      marker,
      mark,
    );
    const expected = [
      /^services\.a\.dependsOn: names unknown service "ghost"/,
      /^services\.a\.stopTimeout: must not be negative$/,
      new RegExp(`^services\\.b\\.port: port ${port} is also used by service "a"$`),
      /^services\.b\.readyTimeout: must be greater than 0$/,
      /^services\.b\.colour: unknown key \(known: command, cwd, env, port, ready, /,
      /^services\.c\.command: must not be empty$/,
      /extra/,
    ];
    for (const re of expected) expect(err.problems.some((p) => re.test(p)), `no problem matches ${re}: ${err.message}`).toBe(true);
    expect(err.problems).toHaveLength(expected.length);
    expect(err.message).toContain(`(${expected.length} problems)`);
  });

  // Regression: a wrong type or a bad enum value (here stopSignal) made zod skip the cross-service checks,
  // so the unknown dependency, the shared port and the cycle only showed up on the next attempt.
  it('several problems at once, one of them a bad value type: the cross-service problems are still listed', async () => {
    const { marker, mark, svc } = setup();
    const port = await freePort();
    const err = await expectRejected(
      {
        services: {
          a: svc({ port, dependsOn: ['ghost', 'b'] }),
          b: svc({ port, stopSignal: 'SIGNOPE', dependsOn: ['a'] }),
        },
      },
      marker,
      mark,
    );
    const expected = [
      /^services\.a\.dependsOn: names unknown service "ghost"/,
      new RegExp(`^services\\.b\\.port: port ${port} is also used by service "a"$`),
      /^services\.b\.stopSignal: must be a signal name such as SIGTERM \(got "SIGNOPE"\)$/,
      /^services: dependsOn has a cycle: a -> b -> a$/,
    ];
    for (const re of expected) expect(err.problems.some((p) => re.test(p)), `no problem matches ${re}: ${err.message}`).toBe(true);
    expect(err.problems).toHaveLength(expected.length);
  });

  it('a cwd that does not exist', async () => {
    const { marker, mark, svc } = setup();
    const err = await expectRejected({ services: { a: svc(), b: svc({ cwd: 'no/such/folder' }) } }, marker, mark);
    expect(err.problems).toEqual([expect.stringMatching(/^services\.b\.cwd: folder .*no\/such\/folder does not exist$/)]);
  });
});

describe('config problems in the user\'s words', () => {
  it('a typo in a required key: "is required" and "did you mean"', async () => {
    const { marker, mark } = setup();
    const err = await expectRejected({ services: { api: { comand: `touch "${marker}"`, env: { TEST_MARK: mark } } } }, marker, mark);
    expect(err.problems).toEqual([
      "services.api.command: is required: the command that starts the service, e.g. 'npm run dev' or ['node', 'server.js']",
      'services.api.comand: unknown key; did you mean "command"?',
    ]);
  });

  it('a service name with a space says which names are allowed, and nothing false about "no service"', async () => {
    const { marker, mark, svc } = setup();
    const err = await expectRejected({ services: { 'my api': svc() } }, marker, mark);
    expect(err.problems).toEqual([
      'services["my api"]: is not a usable service name: use letters, digits, - and _, starting with a letter or digit (e.g. "my-api")',
    ]);
  });

  it('no services at all, plainly', async () => {
    const { marker, mark } = setup();
    const err = await expectRejected({}, marker, mark);
    expect(err.problems).toEqual(['services: is required: export default defineConfig({ services: { api: { command: "npm start", port: 3000 } } })']);
  });

  it('services written at the top level, without services:', async () => {
    const { marker, mark, svc } = setup();
    const err = await expectRejected({ api: svc() }, marker, mark);
    expect(err.problems).toEqual([
      'services: is required: export default defineConfig({ services: { api: { command: "npm start", port: 3000 } } })',
      'api: unknown key; services go under services: { api: { ... } }',
    ]);
  });

  it('an empty services object', async () => {
    const { marker, mark } = setup();
    const err = await expectRejected({ services: {} }, marker, mark);
    expect(err.problems).toEqual(['services: must name at least one service, e.g. services: { api: { command: "npm start", port: 3000 } }']);
  });

  it('wrong types say what was expected and what was given; near-miss values get a suggestion', async () => {
    const { marker, mark, svc } = setup();
    const err = await expectRejected(
      { services: { a: svc({ port: '80', stopSignal: 'TERM', dependsOn: 'b' }), b: { command: 5 } }, verbose: 'yes', portInUse: 'kil' },
      marker,
      mark,
    );
    expect(err.problems).toEqual([
      "services.a.port: must be a whole number 1-65535 or 'auto' (got \"80\")",
      'services.a.stopSignal: must be a signal name such as SIGTERM (got "TERM"); did you mean "SIGTERM"?',
      'services.a.dependsOn: must be a list of service names (got "b")',
      'services.b.command: must be a string (run by a shell) or an array [program, ...args] (got number 5)',
      'verbose: must be true or false (got "yes")',
      "portInUse: must be one of 'auto', 'kill', 'reuse', 'error' (got \"kil\"); did you mean \"kill\"?",
    ]);
  });

  it('a top-level option written inside a service', async () => {
    const { marker, mark, svc } = setup();
    const err = await expectRejected({ services: { a: svc({ verbose: true }) } }, marker, mark);
    expect(err.problems).toEqual(['services.a.verbose: unknown key; verbose is a top-level option, next to services']);
  });

  it('dependsOn with a near-miss name', async () => {
    const { marker, mark, svc } = setup();
    const err = await expectRejected({ services: { api: svc(), web: svc({ dependsOn: ['apii'] }) } }, marker, mark);
    expect(err.problems).toEqual(['services.web.dependsOn: names unknown service "apii" (known: api, web); did you mean "api"?']);
  });

  it('the config itself not an object (a config file exporting an array)', async () => {
    const { resolveConfig } = await import('../../src/index.js');
    let err: unknown;
    try {
      resolveConfig([{ services: {} }], { source: '/p/cleanroom.config.js' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toBe(
      'cleanroom: invalid config in /p/cleanroom.config.js (1 problem); nothing was started:\n  - the config: must be an object { services: { ... } } (got an array)',
    );
  });
});

describe('ready is checked before anything starts (URLs, status, port)', () => {
  it.each([
    ['a URL without http://', { url: 'localhost:4101/health' }, 'services.a.ready.url: must start with http:// or https://; did you mean "http://localhost:4101/health"?'],
    ['an ftp: URL', 'ftp://localhost/x', 'services.a.ready: must be an http:// or https:// URL (got "ftp://localhost/x")'],
    ['not a URL', { url: 'http//x' }, 'services.a.ready.url: must be a URL such as http://localhost:8000/health (got "http//x")'],
    ['status 999', { url: 'http://localhost:4101/', status: 999 }, 'services.a.ready.status: must be an HTTP status 100-599 or a list of them, e.g. 200 or [200, 204] (got number 999)'],
    ['status in a list', { url: 'http://localhost:4101/', status: [200, 42] }, 'services.a.ready.status: must be an HTTP status 100-599 or a list of them, e.g. 200 or [200, 204] (got an array)'],
    ['a typo in the url form', { url: 'http://localhost:4101/', statu: 200 }, 'services.a.ready.statu: unknown key in the { url, status } form; did you mean "status"?'],
    ['a typo picking no form', { urll: 'http://localhost:4101/' }, 'services.a.ready.urll: unknown key; did you mean "url"?'],
    ['two forms at once', { url: 'http://localhost:4101/', log: /x/ }, 'services.a.ready: uses url and log together; pick one: must be a URL string, { url, status? }, { port, host? }, { log: RegExp } or { check: () => Promise<boolean> }'],
    ['a log pattern as a string', { log: 'listening' }, 'services.a.ready.log: must be a RegExp such as /listening on/ (got "listening"); write /listening/, not a string'],
    ['a bare RegExp', /listening/, 'services.a.ready: must be a URL string, { url, status? }, { port, host? }, { log: RegExp } or { check: () => Promise<boolean> } (got a RegExp /listening/); for a log line write { log: /listening/ }'],
    ['a check that is not a function', { check: true }, 'services.a.ready.check: must be a function returning a boolean or a Promise of one (got boolean true)'],
    ['a loopback URL on another port', 'http://localhost:4102/health', "services.a.ready: points at :4102 but port is 4101: use the service's own port, or ready: { check } for a check elsewhere"],
    ['127.0.0.1 on another port, url form', { url: 'http://127.0.0.1:4102/health' }, "services.a.ready.url: points at :4102 but port is 4101: use the service's own port, or ready: { check } for a check elsewhere"],
  ])('%s', async (_what, ready, problem) => {
    const { marker, mark, svc } = setup();
    const err = await expectRejected({ services: { a: svc({ port: 4101, ready }) } }, marker, mark);
    expect(err.problems).toEqual([problem]);
  });

  it('a ready URL on another host may use another port', async () => {
    const { resolveConfig } = await import('../../src/index.js');
    const cfg = resolveConfig({ services: { a: { command: 'x', port: 4101, ready: 'http://api.internal:9000/health' } } });
    expect(cfg.services[0]!.ready).toEqual({ kind: 'http', url: 'http://api.internal:9000/health' });
  });
});

describe('start() and its options are checked before anything starts', () => {
  it.each([
    ['no argument', [], "config: is required: start(await loadConfig()) or start({ services: { api: { command: 'npm start', port: 3000 } } })"],
    ['null', [null], "config: is required: start(await loadConfig()) or start({ services: { api: { command: 'npm start', port: 3000 } } })"],
    ['a string', ['cleanroom.config.ts'], 'config: must be a config object { services: { ... } } (got "cleanroom.config.ts")'],
  ])('start() with %s', async (_what, args, problem) => {
    const { error } = await rejectionOf((start as (...a: unknown[]) => ReturnType<typeof start>)(...args));
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([problem]);
    expect(error.message).toBe(`cleanroom: invalid arguments to start() (1 problem); nothing was started:\n  - ${problem}`);
  });

  it.each([
    ['a logger that is a function', { logger: () => {} }, 'options.logger: must be an object with info, warn and error functions (console works) (got a function)'],
    ['a logger without warn', { logger: { info() {}, error() {} } }, 'options.logger: must be an object with info, warn and error functions (console works); missing: warn'],
    ['signals: "manual"', { signals: 'manual' }, "options.signals: must be 'auto' or 'caller' (got \"manual\")"],
    ['signal: true', { signal: true }, 'options.signal: must be an AbortSignal, e.g. AbortSignal.timeout(30_000) (got boolean true)'],
    ['a reporter missing done', { reporter: { waiting() {}, ready() {}, reused() {}, failed() {} } }, 'options.reporter: must be an object with waiting, ready, reused, failed and done functions; missing: done'],
    ['a typo in an option', { loger: console }, 'options.loger: unknown option; did you mean "logger"?'],
    ['options that are not an object', 'verbose', 'options: must be an object { logger?, signals?, signal?, reporter?, endRun? } (got "verbose")'],
  ])('%s', async (_what, options, problem) => {
    const { marker, mark, svc } = setup();
    const { error } = await rejectionOf(start({ services: { a: svc() } }, options as never));
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([problem]);
    await sleep(150); // a wrongly spawned service would have touched its marker by now
    expect(existsSync(marker), 'a service was started despite the bad options').toBe(false);
    expect(processesWithEnv('TEST_MARK', mark)).toEqual([]);
  });

  it('console is a good logger', async () => {
    const { marker, mark, svc } = setup();
    const info = console.info;
    console.info = () => {}; // keep the test output clean; console itself is what is passed
    try {
      const services = await start({ services: { a: svc() } }, { logger: console });
      await waitFor('the marker', () => existsSync(marker));
      await services.stop();
    } finally {
      console.info = info;
    }
    expect(processesWithEnv('TEST_MARK', mark)).toEqual([]);
  });
});
