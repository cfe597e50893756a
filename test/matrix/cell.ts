/**
 * One cell of the consumer matrix: a fresh project under .tmp/matrix that installs the packed tarball
 * and one runner version with a plain `npm install` (no --legacy-peer-deps, no --force), all under the
 * target Node (first on PATH, so npm's engines checks and the runtime are the target's), then runs a
 * real suite against two real fixture services and checks with the OS that nothing was left.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, portFreesWithin, processesOfRun, processesOfRunner, survivors, type Proc } from '../helpers/os.js';
import { shellStatus, startRunner, type Runner } from '../helpers/runner.js';
import { MATRIX_DIR, ROOT, runtimeBin, type Runtime } from './runtimes.js';

export type RunnerKind = 'vitest' | 'playwright' | 'api-cjs';
export type ConfigKind = 'ts' | 'mjs' | 'cjs';
/** How a run ends: the suite passes; Ctrl+C (SIGINT to the runner's group); SIGTERM to the runner's pid alone. */
export type Ending = 'pass' | 'ctrl-c' | 'sigterm';

export interface CellSpec {
  name: string;
  node: Runtime;
  runner: RunnerKind;
  /** npm version spec of the runner package (vitest or @playwright/test); unused for api-cjs. */
  version?: string;
  /** The installed runner must have this major.minor (or major) prefix: proves what really ran. */
  expectVersion?: RegExp;
  config: ConfigKind;
  /** The runs, one after another in the same installed project (default: ['pass']). */
  ends?: Ending[];
  /** npm overrides for the cell's package.json, when the registry lacks a platform package. */
  overrides?: Record<string, string>;
}

export interface CellResult {
  ok: boolean;
  /** Everything the cell did, printed when it fails. */
  log: string;
  problems: string[];
  installMs: number;
  runMs: number;
  installed: string;
  nodeVersion: string;
}

const RUNNER_PACKAGE: Record<RunnerKind, string | undefined> = { vitest: 'vitest', playwright: '@playwright/test', 'api-cjs': undefined };

function cellEnv(node: Runtime): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env, PATH: `${runtimeBin(node)}:${process.env.PATH ?? ''}`, CI: 'true' };
  // Our own vitest run must not leak into the cell's runner.
  for (const k of Object.keys(env)) if (k.startsWith('VITEST') || k === 'TEST' || k === 'NODE_OPTIONS' || k.startsWith('npm_')) delete env[k];
  return env;
}

function npmInstallOnce(dir: string, env: Record<string, string | undefined>, extra: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile('npm', ['install', '--no-audit', '--no-fund', ...extra], { cwd: dir, env, maxBuffer: 64 << 20, timeout: 300_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, out: `${stdout}${stderr}` });
    });
  });
}

/**
 * A plain `npm install`. Seen in CI here: ETARGET for a version the registry had just published
 * (@babel/generator 7.29.16, wanted by Playwright 1.16's dependencies), from metadata npm had cached
 * a moment before: one retry that asks the registry afresh, said in the log. Still no flags that
 * loosen peer checks.
 */
async function npmInstall(dir: string, env: Record<string, string | undefined>): Promise<{ code: number; out: string }> {
  const first = await npmInstallOnce(dir, env, []);
  if (first.code === 0 || !/ETARGET|notarget/.test(first.out)) return first;
  const again = await npmInstallOnce(dir, env, ['--prefer-online']);
  return { code: again.code, out: `${first.out}\n--- ETARGET: retried once with --prefer-online ---\n${again.out}` };
}

function serviceConfig(kind: ConfigKind, apiPort: number, webPort: number): { file: string; text: string } {
  const services = `{
    api: { command: 'node service.mjs', env: { PORT: '${apiPort}', CHILDREN: '1' }, port: ${apiPort} },
    web: { command: 'node service.mjs', env: { PORT: '${webPort}' }, port: ${webPort}, dependsOn: ['api'] },
  }`;
  if (kind === 'ts')
    return {
      file: 'cleanroom.config.ts',
      text: `import { defineConfig, type CleanroomConfig } from 'cleanroom-e2e';
const config: CleanroomConfig = { services: ${services} };
export default defineConfig(config);
`,
    };
  if (kind === 'mjs') return { file: 'cleanroom.config.mjs', text: `import { defineConfig } from 'cleanroom-e2e';\nexport default defineConfig({ services: ${services} });\n` };
  // A CommonJS project's cleanroom.config.js: require() of the ESM package (require(esm)).
  return { file: 'cleanroom.config.js', text: `const { defineConfig } = require('cleanroom-e2e');\nmodule.exports = defineConfig({ services: ${services} });\n` };
}

/** The suite reports what it saw in RUNNING, then holds until RELEASE exists, so the cell can look at the OS meanwhile. */
function writeSuite(spec: CellSpec, dir: string): { command: string[] } {
  const running = JSON.stringify(join(dir, 'RUNNING'));
  const release = JSON.stringify(join(dir, 'RELEASE'));
  // Written whole, then renamed: the cell must never read a half-written file.
  const hold = `writeFileSync(${running} + '.part', JSON.stringify({ api, web, worker: process.pid }));
  renameSync(${running} + '.part', ${running});
  while (!existsSync(${release})) await new Promise((r) => setTimeout(r, 20));`;
  if (spec.runner === 'vitest') {
    writeFileSync(join(dir, 'vitest.config.mjs'), `export default { test: { globalSetup: ['cleanroom-e2e/vitest'], include: ['*.test.mjs'], testTimeout: 120000 } };\n`);
    writeFileSync(
      join(dir, 'suite.test.mjs'),
      `import { inject, test, expect } from 'vitest';
import { existsSync, renameSync, writeFileSync } from 'node:fs';
test('the services are up and provided', async () => {
  const s = inject('cleanroom');
  expect(process.env.CLEANROOM_WEB_URL).toBe(s.web.url);
  const api = await (await fetch(s.api.url)).text();
  const web = await (await fetch(process.env.CLEANROOM_WEB_URL)).text();
  expect(api).toMatch(/^ok \\d+$/);
  expect(web).toMatch(/^ok \\d+$/);
  ${hold}
});
`,
    );
    return { command: ['node_modules/.bin/vitest', 'run'] };
  }
  if (spec.runner === 'playwright') {
    writeFileSync(
      join(dir, 'playwright.config.mjs'),
      `export default { testDir: '.', testMatch: /.*\\.spec\\.mjs$/, globalSetup: 'cleanroom-e2e/playwright', workers: 1, reporter: 'line', timeout: 120000 };\n`,
    );
    writeFileSync(
      join(dir, 'suite.spec.mjs'),
      `import { test, expect } from '@playwright/test';
import { existsSync, renameSync, writeFileSync } from 'node:fs';
test('the services are up', async ({ request }) => {
  const a = await request.get(process.env.CLEANROOM_API_URL);
  const w = await request.get(process.env.CLEANROOM_WEB_URL);
  expect(a.ok()).toBe(true);
  expect(w.ok()).toBe(true);
  const api = await a.text();
  const web = await w.text();
  ${hold}
});
`,
    );
    return { command: ['node_modules/.bin/playwright', 'test'] };
  }
  // CommonJS, programmatic API: require('cleanroom-e2e'), start(), stop().
  writeFileSync(
    join(dir, 'runner.js'),
    `const { start, loadConfig } = require('cleanroom-e2e');
const { existsSync, renameSync, writeFileSync } = require('node:fs');
(async () => {
  const services = await start(await loadConfig());
  const api = await (await fetch(services.info.api.url)).text();
  const web = await (await fetch(process.env.CLEANROOM_WEB_URL ?? services.env.CLEANROOM_WEB_URL)).text();
  if (!/^ok \\d+$/.test(api) || !/^ok \\d+$/.test(web)) throw new Error('unexpected answers: ' + api + ' / ' + web);
  ${hold}
  const summary = await services.stop();
  if (summary.failures.length || summary.portsHeld.length) throw new Error('stop: ' + JSON.stringify(summary));
  console.log('API RUN PASSED');
})().catch((e) => { console.error(e); process.exitCode = 1; });
`,
  );
  return { command: ['runner.js'] };
}

/** cleanroom's own stop() prints this: the runner ran our teardown (not only the exit guard's last-resort kill). */
const STOPPED = /cleanroom: stopped 2 services \(\d+ processes\)/;

const PASSED: Record<RunnerKind, RegExp> = {
  vitest: /Tests\s+1 passed/,
  playwright: /1 passed/,
  'api-cjs': /API RUN PASSED/,
};

async function waitForFileOrExit(file: string, runner: Runner, ms: number): Promise<boolean> {
  let exited = false;
  void runner.exited.then(() => (exited = true));
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (existsSync(file)) return true;
    if (exited) return existsSync(file);
    await sleep(20);
  }
  return false;
}

function runIdOf(pid: number): string | undefined {
  try {
    const entry = readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').find((kv) => kv.startsWith('CLEANROOM_RUN_ID='));
    return entry?.slice('CLEANROOM_RUN_ID='.length);
  } catch {
    return undefined;
  }
}

function cmdlineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '(gone)';
  }
}

/** Live (non-zombie) members of a process group, from /proc. */
function groupMembers(pgid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const text = readFileSync(`/proc/${name}/stat`, 'utf8');
      const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
      if (Number(f[2]) === pgid && f[0] !== 'Z' && f[0] !== 'X') out.push(Number(name));
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}

async function groupSurvivors(pgid: number, waitMs: number): Promise<number[]> {
  const deadline = Date.now() + waitMs;
  let left = groupMembers(pgid);
  while (left.length && Date.now() < deadline) {
    await sleep(50);
    left = groupMembers(pgid);
  }
  return left;
}

function exeOf(pid: number): string {
  try {
    return readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return '(gone)';
  }
}

/** Builds, installs and runs one cell. Never throws for a cell failure: the result says what went wrong. */
export async function runCell(spec: CellSpec, tarball: string): Promise<CellResult> {
  const dir = join(MATRIX_DIR, spec.name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const env = cellEnv(spec.node);
  const node = join(runtimeBin(spec.node), 'node');
  const problems: string[] = [];
  const log: string[] = [`cell ${spec.name}: node ${spec.node}, ${spec.runner} ${spec.version ?? ''}, ${spec.config} config, in ${dir}`];
  const pkgName = RUNNER_PACKAGE[spec.runner];
  const devDependencies: Record<string, string> = { 'cleanroom-e2e': `file:${tarball}` };
  if (pkgName) devDependencies[pkgName] = spec.version ?? 'latest';
  const pkg = {
    name: `matrix-${spec.name}`,
    private: true,
    type: spec.config === 'cjs' ? 'commonjs' : 'module',
    devDependencies,
    ...(spec.overrides ? { overrides: spec.overrides } : {}),
  };
  writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
  copyFileSync(join(ROOT, 'test/fixtures/service.mjs'), join(dir, 'service.mjs'));
  const apiPort = await freePort();
  const webPort = await freePort();
  const cfg = serviceConfig(spec.config, apiPort, webPort);
  writeFileSync(join(dir, cfg.file), cfg.text);
  const { command } = writeSuite(spec, dir);

  const nodeVersion = (await new Promise<string>((r) => execFile(node, ['-v'], (_e, out) => r(out.trim()))));
  const t0 = Date.now();
  const install = await npmInstall(dir, env);
  const installMs = Date.now() - t0;
  log.push(`--- npm install (exit ${install.code}, ${installMs} ms, ${nodeVersion})`, install.out);
  let installed = '';
  const result = (runMs: number): CellResult => {
    const text = [...log, ...problems.map((p) => `PROBLEM: ${p}`)].join('\n');
    writeFileSync(join(dir, 'cell.log'), text);
    return { ok: problems.length === 0, log: text, problems, installMs, runMs, installed, nodeVersion };
  };
  if (install.code !== 0) {
    problems.push(`npm install failed (exit ${install.code})`);
    return result(0);
  }
  if (/EBADENGINE[\s\S]{0,200}cleanroom-e2e/.test(install.out)) problems.push(`npm warns that cleanroom-e2e's engines exclude ${nodeVersion}`);
  if (pkgName) {
    installed = (JSON.parse(readFileSync(join(dir, 'node_modules', pkgName, 'package.json'), 'utf8')) as { version: string }).version;
    log.push(`installed ${pkgName}@${installed}`);
    if (spec.expectVersion && !spec.expectVersion.test(installed)) problems.push(`expected ${pkgName} ${spec.expectVersion}, npm installed ${installed}`);
  }

  let runMs = 0;
  for (const end of spec.ends ?? ['pass']) {
    const r = await runOnce({ spec, dir, env, node, command, end, ports: [apiPort, webPort] });
    runMs += r.ms;
    log.push(...r.log);
    problems.push(...r.problems.map((p) => `[${end}] ${p}`));
  }
  return result(runMs);
}

interface RunArgs {
  spec: CellSpec;
  dir: string;
  env: Record<string, string | undefined>;
  node: string;
  command: string[];
  end: Ending;
  ports: number[];
}

/** One run of the cell's suite, ended as `end` says, then the OS checks. */
async function runOnce({ spec, dir, env, node, command, end, ports }: RunArgs): Promise<{ ms: number; log: string[]; problems: string[] }> {
  const problems: string[] = [];
  const log: string[] = [];
  for (const f of ['RUNNING', 'RELEASE']) rmSync(join(dir, f), { force: true });
  const t1 = Date.now();
  const runner = startRunner(node, command, { cwd: dir, env: { ...env, FORCE_COLOR: '0', NO_COLOR: '1' } });
  try {
    const running = await waitForFileOrExit(join(dir, 'RUNNING'), runner, 180_000);
    let seen: Proc[] = [];
    let runId: string | undefined;
    if (!running) {
      problems.push('the suite never reached its running point (see the output)');
    } else {
      const saw = JSON.parse(readFileSync(join(dir, 'RUNNING'), 'utf8')) as { api: string; web: string };
      const servicePids = [saw.api, saw.web].map((a) => Number(a.split(' ')[1]));
      // The run's tag, read from the service itself: old Playwright re-spawns its runner (to add its
      // ESM loader), so the pid we started is not always the one that called start().
      const runIds = new Set(servicePids.map(runIdOf));
      if (runIds.has(undefined) || runIds.size !== 1) problems.push(`the services carry run ids ${[...runIds].join(', ')}`);
      runId = [...runIds][0];
      seen = runId ? processesOfRun(runId) : [];
      // A check never drops out silently: the services must be among the run's processes.
      for (const pid of servicePids) {
        if (!seen.some((p) => p.pid === pid)) problems.push(`service pid ${pid} is not among the run's processes (${seen.map((p) => p.pid).join(', ') || 'none'})`);
        if (exeOf(pid) !== node) problems.push(`service pid ${pid} runs ${exeOf(pid)}, not the cell's node ${node}`);
      }
      if (exeOf(runner.pid) !== node) problems.push(`the runner runs ${exeOf(runner.pid)}, not ${node}`);
      log.push(`[${end}] while running: ${seen.length} processes of the run (services ${servicePids.join(', ')})`);
    }
    if (end === 'pass') writeFileSync(join(dir, 'RELEASE'), '');
    else if (end === 'ctrl-c') runner.signalGroup('SIGINT'); // what a terminal's Ctrl+C does
    else runner.signal('SIGTERM'); // the runner's pid alone: an IDE, a process manager, CI's timeout
    const exit = await Promise.race([runner.exited, sleep(120_000).then(() => undefined)]);
    const ms = Date.now() - t1;
    log.push(`--- [${end}] ${command.join(' ')} (${exit ? `exit ${shellStatus(exit)}` : 'did not exit in 120 s'}, ${ms} ms)`, runner.output());
    if (!exit) problems.push('the runner did not exit');
    else if (end === 'pass' && shellStatus(exit) !== 0) problems.push(`the runner exited ${shellStatus(exit)}`);
    else if (end !== 'pass' && shellStatus(exit) === 0) problems.push('the runner exited 0 although it was interrupted');
    if (end === 'pass') {
      if (!PASSED[spec.runner].test(runner.output())) problems.push(`the output does not say the suite passed (${PASSED[spec.runner]})`);
      if (!STOPPED.test(runner.output())) problems.push(`the output does not show cleanroom's teardown (${STOPPED})`);
    }
    const left = await survivors([...seen, ...processesOfRunner(runner.pid), ...(runId ? processesOfRun(runId) : [])], 1500);
    if (left.length) problems.push(`processes left behind: ${left.map((p) => p.pid).join(', ')}`);
    // The runner's own group too (its test workers): a worker still running the held test is a leftover.
    const group = await groupSurvivors(runner.pid, 3000);
    if (group.length) problems.push(`the runner's process group still has ${group.join(', ')} alive: ${group.map(cmdlineOf).join(' | ')}`);
    for (const port of ports) if (!(await portFreesWithin(port))) problems.push(`port ${port} still answers`);
    return { ms, log, problems };
  } catch (e) {
    // A bug in the cell itself still reports everything it saw.
    problems.push(`the cell failed: ${e instanceof Error ? e.stack : String(e)}`);
    log.push(`--- [${end}] runner output so far`, runner.output());
    return { ms: Date.now() - t1, log, problems };
  } finally {
    writeFileSync(join(dir, 'RELEASE'), '');
    runner.kill(); // only the group this cell created; a no-op when it ended cleanly
  }
}
