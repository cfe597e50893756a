/** Paths and small shared pieces of the benchmark suite. */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROOT = new URL('../../', import.meta.url).pathname;
export const BENCH = new URL('../', import.meta.url).pathname;
export const BOOT = join(BENCH, 'fixtures/boot-service.mjs');
export const WEB_DIR = join(BENCH, 'fixtures/web');
export const BIN = (name) => join(ROOT, 'node_modules/.bin', name);
export const CLI = join(ROOT, 'dist/cli/main.js');
export const NODE = process.execPath;

let tmp;
let n = 0;
/** A new file path in this run's temporary folder. */
export function tmpFile(name) {
  tmp ??= mkdtempSync(join(tmpdir(), 'cleanroom-bench-'));
  return join(tmp, `${n++}-${name}`);
}

/** Removes this run's temporary folder. */
export function removeTmp() {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
}

/** A number from a file of one number per line (the last one), or NaN. */
export function lastNumber(file) {
  if (!existsSync(file)) return Number.NaN;
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  return Number(lines.at(-1));
}

/** `date +%s%N` output (ns since the epoch) → ms on the shared wall clock. */
export function nsToMs(text) {
  const s = String(text).trim();
  return Number(s.slice(0, -6)) + Number(`0.${s.slice(-6)}`);
}

/** Rotates `list` by `i` (interleaved rounds: each tool takes every position in turn). */
export function rotate(list, i) {
  const k = i % list.length;
  return [...list.slice(k), ...list.slice(0, k)];
}

/** The boot-service env for one service. */
export function svcEnv(port, name, readyFile, extra = {}) {
  return { PORT: String(port), NAME: name, BOOT_MS: '300', READY_FILE: readyFile, ...extra };
}

/**
 * Lays the build out as an installed package, bench/node_modules/cleanroom-e2e (dist + package.json,
 * what the tarball holds), so the runners load `cleanroom-e2e/vitest` and `cleanroom-e2e/playwright`
 * the way a project does: Vitest imports a dependency in node_modules natively, but pushes a file path
 * outside node_modules (../../dist/...) through its Vite transform, module by module. bench/package.json
 * is what makes the import find this copy: without a package of its own, bench/ is inside the repo's
 * package, and `cleanroom-e2e` self-resolves to the repo's dist/ (Node and Vite both), which cost the
 * Vitest bench ~0.6 s of Vite transforms that no installed project pays.
 */
export function installAsPackage() {
  const dir = join(BENCH, 'node_modules', 'cleanroom-e2e');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  cpSync(join(ROOT, 'dist'), join(dir, 'dist'), { recursive: true });
  cpSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
  return dir;
}
