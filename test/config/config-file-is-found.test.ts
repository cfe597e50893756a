/**
 * Finding and loading the config file: the nearest one from a subfolder up to the package root (and
 * never above it), every module format Node loads, a folder named as the config, a syntax error.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, findConfigFile, loadConfig } from '../../src/index.js';
import { tempDir } from '../helpers/api.js';
import { ROOT } from '../helpers/spawn.js';

/**
 * loadConfig() of the built package in a fresh node: how Node itself reports a broken config (under
 * Vitest, import() goes through Vite, which words errors its own way). Returns the ConfigError's problems.
 */
function problemsInNode(cwd: string): string[] {
  const code = `import { loadConfig } from ${JSON.stringify(join(ROOT, 'dist/index.js'))};
    try { await loadConfig(); console.log('null'); } catch (e) { console.log(JSON.stringify({ name: e.name, problems: e.problems, message: e.message })); }`;
  const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', code], { cwd, encoding: 'utf8' })) as { name: string; problems: string[]; message: string } | null;
  expect(out?.name).toBe('ConfigError');
  expect(out!.message).not.toMatch(/\n\s+at /); // no stack
  return out!.problems;
}

function write(file: string, text: string): string {
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, text);
  return file;
}

async function loadError(p: Promise<unknown>): Promise<ConfigError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConfigError);
  return err as ConfigError;
}

const ESM = "export default { services: { api: { command: 'node server.js', port: 4101 } } };\n";
const CJS = "module.exports = { services: { api: { command: 'node server.js', port: 4101 } } };\n";

describe('the config file is found', () => {
  it('from a subfolder: the nearest one up to the package root; relative cwd resolves against its folder', async () => {
    const root = tempDir();
    write(join(root, 'package.json'), '{"type":"module"}');
    write(join(root, 'cleanroom.config.mjs'), ESM);
    const sub = join(root, 'e2e', 'specs');
    mkdirSync(sub, { recursive: true });
    expect(findConfigFile(undefined, sub)).toBe(join(root, 'cleanroom.config.mjs'));
    const cfg = await loadConfig(undefined, sub);
    expect(cfg.root).toBe(root);
    expect(cfg.services.map((s) => s.name)).toEqual(['api']);
  });

  it('the search stops at the package root: an enclosing project\'s config is never used', async () => {
    const outer = tempDir();
    write(join(outer, 'cleanroom.config.mjs'), ESM);
    const pkg = join(outer, 'packages', 'web');
    write(join(pkg, 'package.json'), '{}');
    const sub = join(pkg, 'src');
    mkdirSync(sub, { recursive: true });
    const err = await loadError(loadConfig(undefined, sub));
    expect(err.problems).toEqual([
      `no cleanroom.config.{ts,mts,cts,js,mjs,cjs} in ${sub} or above it up to the package root ${pkg}: create cleanroom.config.ts, or name one with CLEANROOM_CONFIG=path or --config path`,
    ]);
  });

  it.each([
    ['ts', 'module', "import type {} from 'node:fs';\nconst port: number = 4101;\nexport default { services: { api: { command: 'node server.js', port } } };\n"],
    ['mts', 'commonjs', "const port: number = 4101;\nexport default { services: { api: { command: 'node server.js', port } } };\n"],
    ['cts', 'module', "const port: number = 4101;\nmodule.exports = { services: { api: { command: 'node server.js', port } } };\n"],
    ['js', 'module', ESM],
    ['js', 'commonjs', CJS],
    ['mjs', 'commonjs', ESM],
    ['cjs', 'module', CJS],
  ])('cleanroom.config.%s (package type %s)', async (ext, type, text) => {
    const root = tempDir();
    write(join(root, 'package.json'), JSON.stringify({ type }));
    write(join(root, `cleanroom.config.${ext}`), text);
    const cfg = await loadConfig(undefined, root);
    expect(cfg.services.map((s) => [s.name, s.port])).toEqual([['api', 4101]]);
  });
});

describe('a config file that cannot be used says why, without a stack', () => {
  it('--config naming a folder', async () => {
    const root = tempDir();
    write(join(root, 'e2e', 'cleanroom.config.ts'), ESM);
    const err = await loadError(loadConfig('e2e', root));
    expect(err.problems).toEqual([`--config names ${join(root, 'e2e')}, a folder: name the config file itself, e.g. ${join(root, 'e2e', 'cleanroom.config.ts')}`]);
  });

  it('--config naming a file that does not exist', async () => {
    const root = tempDir();
    const err = await loadError(loadConfig('nope.config.ts', root));
    expect(err.problems).toEqual([`--config names ${join(root, 'nope.config.ts')}, which does not exist`]);
  });

  it('a syntax error in a .cjs config', () => {
    const root = tempDir();
    const file = write(join(root, 'cleanroom.config.cjs'), 'module.exports = {\n  services: ]\n};\n');
    expect(problemsInNode(root)).toEqual([`${file} (line 2) could not be loaded: SyntaxError: Unexpected token ']'`]);
  });

  it('a config whose sync resolve runs before anything loaded the validator (require of the schema)', () => {
    const code = `import { resolveConfig } from ${JSON.stringify(join(ROOT, 'dist/index.js'))};
      try { resolveConfig({ services: { api: { comand: 'x' } } }); } catch (e) { console.log(e.message); }`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' });
    expect(out).toBe(
      "cleanroom: invalid config (2 problems); nothing was started:\n  - services.api.command: is required: the command that starts the service, e.g. 'npm run dev' or ['node', 'server.js']\n  - services.api.comand: unknown key; did you mean \"command\"?\n",
    );
  });

  it('a syntax error in a .mjs config: the file, the line, the error\'s first line', async () => {
    const root = tempDir();
    const file = write(join(root, 'cleanroom.config.mjs'), 'export default {\n  services: {\n    a: { command: "x" }, }\n  }}\n');
    expect(problemsInNode(root)).toEqual([`${file} (line 4) could not be loaded: SyntaxError: Unexpected token '}'`]);
  });

  it("a syntax error in a .ts config", () => {
    const root = tempDir();
    const file = write(join(root, 'cleanroom.config.ts'), 'const port: number = ;\nexport default {};\n');
    expect(problemsInNode(root)).toEqual([`${file} (line 1) could not be loaded: ParseError: Unexpected token`]);
  });

  it("a config importing a package that is not installed", () => {
    const root = tempDir();
    const file = write(join(root, 'cleanroom.config.mjs'), "import x from 'no-such-package-here';\nexport default x;\n");
    expect(problemsInNode(root)).toEqual([`${file} could not be loaded: Error: Cannot find package 'no-such-package-here' imported from ${file}`]);
  });

  it("a config with no default export", () => {
    const root = tempDir();
    const file = write(join(root, 'cleanroom.config.mjs'), 'export const services = {};\n');
    expect(problemsInNode(root)).toEqual([`${file} has no default export: export default defineConfig({ services: { ... } })`]);
  });
});
