/**
 * The consumer matrix (README "Compatibility"): every cell installs the packed tarball into a fresh
 * project with a plain `npm install` under its Node, runs a real suite against real services, and
 * checks with the OS that no service process is alive and no port is bound afterwards. Most cells
 * then run the suite again in the same project and end it by Ctrl+C or SIGTERM, with the same checks.
 * MATRIX_CELLS=name,name runs only those cells.
 */
import { describe, expect, inject, it } from 'vitest';
import { runCell, type CellSpec, type Ending } from './cell.js';
import { RUNTIMES, type Runtime } from './runtimes.js';

const ALL: Ending[] = ['pass', 'ctrl-c', 'sigterm'];
const TERM: Ending[] = ['pass', 'sigterm'];

export const CELLS: CellSpec[] = [
  // Vitest: the newest line on the two newest Node lines, the older lines users still run, and the
  // lowest version peerDependencies admit (1.0.0: the first with bare package specifiers in globalSetup).
  { name: 'vitest5-node24-ts', node: '24', runner: 'vitest', version: '^5.0.0', expectVersion: /^5\./, config: 'ts', ends: ALL },
  { name: 'vitest5-node26-mjs', node: '26', runner: 'vitest', version: '^5.0.0', expectVersion: /^5\./, config: 'mjs', ends: TERM },
  { name: 'vitest4.1-node22.12-mjs', node: '22.12', runner: 'vitest', version: '~4.1.0', expectVersion: /^4\.1\./, config: 'mjs', ends: TERM },
  { name: 'vitest3.2-node22-ts', node: '22', runner: 'vitest', version: '~3.2.0', expectVersion: /^3\.2\./, config: 'ts', ends: ALL },
  { name: 'vitest2.1-node22-mjs', node: '22', runner: 'vitest', version: '~2.1.0', expectVersion: /^2\.1\./, config: 'mjs', ends: TERM },
  { name: 'vitest1.0.0-node22-mjs', node: '22', runner: 'vitest', version: '1.0.0', expectVersion: /^1\.0\.0$/, config: 'mjs', ends: ALL },
  // Playwright (API requests, no browser): the newest, a project pinned at 1.60.0 (issue 10: it got
  // ERESOLVE from the old ^1.65.0), and the lowest version admitted (1.16.0: the first with `request`).
  { name: 'playwright-latest-node24-ts', node: '24', runner: 'playwright', version: 'latest', expectVersion: /^1\./, config: 'ts', ends: ALL },
  { name: 'playwright-latest-node26-mjs', node: '26', runner: 'playwright', version: 'latest', expectVersion: /^1\./, config: 'mjs' },
  { name: 'playwright1.60.0-node24-mjs', node: '24', runner: 'playwright', version: '1.60.0', expectVersion: /^1\.60\.0$/, config: 'mjs', ends: ALL },
  { name: 'playwright1.16.0-node22-mjs', node: '22', runner: 'playwright', version: '1.16.0', expectVersion: /^1\.16\.0$/, config: 'mjs', ends: ALL },
  // CommonJS + the programmatic API: require(esm) of the package, on the lowest Node admitted.
  { name: 'cjs-api-node22.12', node: '22.12', runner: 'api-cjs', config: 'cjs', ends: ALL },
  { name: 'cjs-api-node26', node: '26', runner: 'api-cjs', config: 'cjs', ends: TERM },
];

/**
 * MATRIX_PROBE=vitest@1.6.0@22,playwright@1.40.0@22.12 runs ad-hoc cells instead (how the lower ends
 * were found); the tarball's peerDependencies must admit the version, or npm install fails.
 */
function probes(list: string): CellSpec[] {
  return list.split(',').filter(Boolean).map((p) => {
    const [runner, version, node] = p.split('@') as [string, string, string];
    if ((runner !== 'vitest' && runner !== 'playwright') || !(node in RUNTIMES)) throw new Error(`bad probe ${p}`);
    return { name: `probe-${runner}${version}-node${node}`, node: node as Runtime, runner, version, config: 'mjs' };
  });
}

const only = process.env.MATRIX_CELLS?.split(',').filter(Boolean);
const cells = process.env.MATRIX_PROBE ? probes(process.env.MATRIX_PROBE) : only ? CELLS.filter((c) => only.includes(c.name)) : CELLS;

// A filter that matches nothing must fail, not pass with zero cells.
if (cells.length === 0) throw new Error(`MATRIX_CELLS=${process.env.MATRIX_CELLS} matches no cell`);

describe.concurrent('consumer matrix', () => {
  for (const spec of cells) {
    it(spec.name, async (ctx) => {
      const r = await runCell(spec, inject('matrixTarball'));
      ctx.task.meta.cell = { installMs: r.installMs, runMs: r.runMs, installed: r.installed, node: r.nodeVersion };
      // A failing cell prints everything it did: npm's output and the runner's.
      expect(r.problems, r.log).toEqual([]);
    });
  }
});
