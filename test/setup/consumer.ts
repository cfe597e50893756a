/**
 * Once per test run: pack cleanroom as users get it (`npm pack`) and install the tarball into a scratch
 * consumer project under .tmp/consumer. Runner tests write small projects inside it, so `cleanroom`
 * resolves to the installed tarball while vitest and @playwright/test resolve from the repo.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

const ROOT = new URL('../..', import.meta.url).pathname;

declare module 'vitest' {
  export interface ProvidedContext {
    consumerDir: string;
  }
}

export default function setup(project: TestProject): () => void {
  // One folder per run: two test runs at once (a watch mode and a CI-style run) must not share it.
  const consumer = join(ROOT, '.tmp', `consumer-${process.pid}`);
  rmSync(consumer, { recursive: true, force: true });
  mkdirSync(consumer, { recursive: true });
  if (!existsSync(join(ROOT, 'dist/index.js'))) execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  // dist/ is fresh (npm test builds first), so skip the prepare script's second build.
  const out = execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', consumer, '--json'], { cwd: ROOT, encoding: 'utf8' });
  const tarball = (JSON.parse(out) as Array<{ filename: string }>)[0]!.filename;
  writeFileSync(
    join(consumer, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies: { 'cleanroom-e2e': `file:./${tarball}` } }, null, 2),
  );
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], { cwd: consumer, stdio: 'inherit' });
  project.provide('consumerDir', consumer);
  return () => rmSync(consumer, { recursive: true, force: true });
}
