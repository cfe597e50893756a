/**
 * start() of a valid config never loads zod (its import is ~100 ms of a fresh process, before the
 * first spawn): a fresh `node` importing the built package (dist/, as users get it; `npm test` builds
 * first) starts and stops one trivial service and reports whether zod ever ran. A bad config does
 * load it, and gets the worded problem list: the control that shows the observation can see zod.
 *
 * Two observations: zod's core sets `globalThis.__zod_globalConfig` when it is evaluated, however it
 * was loaded (import() or require()); and a module.register() resolve hook logs every URL that is
 * imported (Node 20's hooks do not see require(), hence the first).
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { processesWithEnv, tempDir, testMark, waitFor } from '../helpers/api.js';

const run = promisify(execFile);
const ROOT = new URL('../..', import.meta.url).pathname;
const DIST = join(ROOT, 'dist/index.js');

/** What the child prints: one line per step, `zod` = whether zod had run by the end of it. */
interface Step {
  step: string;
  zod: boolean;
  pid?: number;
  error?: string;
  problems?: string[];
}

const CHILD = `
import { loadConfig, resolveConfig, start } from ${JSON.stringify(pathToFileURL(DIST).href)};
const zod = () => globalThis.__zod_globalConfig !== undefined;
const say = (step, extra = {}) => console.log(JSON.stringify({ step, zod: zod(), ...extra }));
const quiet = { logger: { info() {}, warn() {}, error() {} } };
const idle = (extra) => ({ command: [process.execPath, '-e', 'setInterval(() => {}, 1000)'], ...extra });
const failed = (step, err) => say(step, { error: err.name + ': ' + err.message, problems: err.problems });
say('imported');
switch (process.env.CASE) {
  case 'valid': {
    for (const [step, svc] of [['start() with a ready check', idle({ ready: { check: () => true } })], ['start() with no ready check', idle()]]) {
      const services = await start({ services: { idle: svc } }, quiet);
      const pid = services.info.idle.pid;
      await services.stop();
      say(step, { pid });
    }
    const services = await start(await loadConfig(process.env.CONFIG_FILE), quiet);
    const pid = services.info.idle.pid;
    await services.stop();
    say('loadConfig() of a file, then start()', { pid });
    resolveConfig({ services: { a: idle({ port: 'auto', env: { A: 'b' }, dependsOn: [] }) }, portBase: 4100 });
    say('resolveConfig()');
    break;
  }
  case 'invalid start()':
    try { await start({ services: { idle: idle({ port: 'any' }) } }, quiet); say('started'); } catch (err) { failed('start()', err); }
    break;
  case 'invalid resolveConfig()':
    try { resolveConfig({ services: { idle: idle({ port: 'any' }) } }); say('resolved'); } catch (err) { failed('resolveConfig()', err); }
    break;
  case 'invalid loadConfig()':
    try { await loadConfig(process.env.CONFIG_FILE); say('loaded'); } catch (err) { failed('loadConfig()', err); }
    break;
}
`;

const HOOKS = `
import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  appendFileSync(process.env.IMPORT_LOG, r.url + '\\n');
  return r;
}
`;

/** Runs CHILD for `kase` in a fresh node; returns its steps and the URLs it imported. */
async function child(kase: string, configFile?: string): Promise<{ steps: Step[]; imported: string[] }> {
  expect(existsSync(DIST), 'dist/ is built (npm run build; npm test builds first)').toBe(true);
  const dir = tempDir();
  const mark = testMark();
  writeFileSync(join(dir, 'hooks.mjs'), HOOKS);
  writeFileSync(join(dir, 'register.mjs'), `import { register } from 'node:module'; register(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});`);
  const log = join(dir, 'imported.log');
  const env = { ...process.env, CASE: kase, CONFIG_FILE: configFile ?? '', IMPORT_LOG: log, TEST_MARK: mark };
  const { stdout } = await run(process.execPath, ['--import', join(dir, 'register.mjs'), '--input-type=module', '-e', CHILD], { cwd: dir, env, timeout: 30_000 });
  // Nothing the child started (services, the watchdog sidecar: all carry its TEST_MARK) is left.
  await waitFor('every process of the child to be gone', () => processesWithEnv('TEST_MARK', mark).length === 0);
  const steps = stdout.trim().split('\n').map((l) => JSON.parse(l) as Step);
  return { steps, imported: readFileSync(log, 'utf8').trim().split('\n') };
}

const isZod = (url: string) => url.includes('/node_modules/zod/');

function idleConfigFile(body: string): string {
  const file = join(tempDir(), 'cleanroom.config.mjs');
  writeFileSync(file, `export default { services: { idle: { command: [process.execPath, '-e', 'setInterval(() => {}, 1000)'], ${body} } } };\n`);
  return file;
}

describe('a valid config never loads zod', () => {
  it('start() (with and without a ready check), loadConfig() + start(), resolveConfig(): no zod at any step', async () => {
    const { steps, imported } = await child('valid', idleConfigFile('ready: { check: () => true }'));
    expect(steps.map((s) => s.step)).toEqual(['imported', 'start() with a ready check', 'start() with no ready check', 'loadConfig() of a file, then start()', 'resolveConfig()']);
    expect(steps.filter((s) => s.zod)).toEqual([]);
    // The services really ran (so start() really went through), and are gone (checked in child()).
    for (const s of steps.slice(1, 4)) expect(s.pid, s.step).toBeGreaterThan(0);
    // The hook saw the package's modules (it works), and no zod among them.
    expect(imported).toContain(pathToFileURL(DIST).href);
    expect(imported.filter(isZod)).toEqual([]);
  });

  it('control: start() of a bad config loads zod (import()) and words the problem', async () => {
    const { steps, imported } = await child('invalid start()');
    expect(steps).toEqual([
      { step: 'imported', zod: false },
      {
        step: 'start()',
        zod: true,
        error: expect.stringContaining('ConfigError') as unknown,
        problems: ["services.idle.port: must be a whole number 1-65535 or 'auto' (got \"any\")"],
      },
    ]);
    expect(imported.filter(isZod).length).toBeGreaterThan(0);
  });

  it('control: resolveConfig() of a bad config loads zod (require(), synchronously) and words the problem', async () => {
    const { steps } = await child('invalid resolveConfig()');
    expect(steps).toEqual([
      { step: 'imported', zod: false },
      { step: 'resolveConfig()', zod: true, error: expect.stringContaining('ConfigError') as unknown, problems: ["services.idle.port: must be a whole number 1-65535 or 'auto' (got \"any\")"] },
    ]);
  });

  it('control: loadConfig() of a bad config file loads zod and words the problem', async () => {
    const { steps, imported } = await child('invalid loadConfig()', idleConfigFile('readyTimout: 5000'));
    expect(steps).toEqual([
      { step: 'imported', zod: false },
      { step: 'loadConfig()', zod: true, error: expect.stringContaining('ConfigError') as unknown, problems: ['services.idle.readyTimout: unknown key; did you mean "readyTimeout"?'] },
    ]);
    expect(imported.filter(isZod).length).toBeGreaterThan(0);
  });
});
