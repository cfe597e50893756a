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

  // Regression: 'an empty array' was reported twice, as "must not be empty" and "must start with a
  // program name", so problems.length over-counted.
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
    expect(err.problems).toHaveLength(1);
    expect(err.problems[0]).toContain('verbos');
  });

  it('an unknown key in a service', async () => {
    const { marker, mark, svc } = setup();
    const err = await expectRejected({ services: { a: svc({ readyTimout: 5000 }) } }, marker, mark);
    expect(err.problems).toHaveLength(1);
    expect(err.problems[0]).toMatch(/^services\.a: .*readyTimout/);
  });

  it('a bad stopSignal', async () => {
    const { marker, mark, svc } = setup();
    const err = await expectRejected({ services: { a: svc({ stopSignal: 'SIGNOPE' }) } }, marker, mark);
    expect(err.problems).toEqual(['services.a.stopSignal: must be a signal name such as SIGTERM']);
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
      /^services\.b: .*colour/,
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
      /^services\.b\.stopSignal: must be a signal name such as SIGTERM$/,
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
