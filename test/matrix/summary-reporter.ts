/** Prints each cell's times and one plain closing line: "matrix: N passed, N failed". */
import type { Reporter, TestModule } from 'vitest/node';

declare module 'vitest' {
  interface TaskMeta {
    cell?: { installMs: number; runMs: number; installed: string; node: string };
  }
}

export default class MatrixSummary implements Reporter {
  private started = Date.now();

  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    const rows: string[] = [];
    for (const m of modules) {
      for (const t of m.children.allTests()) {
        const state = t.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        const cell = t.meta().cell;
        if (cell) {
          const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
          rows.push(`  ${state.padEnd(7)} ${t.name.padEnd(34)} node ${cell.node.padEnd(9)} ${cell.installed.padEnd(8)} install ${s(cell.installMs)}, run ${s(cell.runMs)}`);
        }
      }
    }
    console.log(['', 'matrix cells:', ...rows, `total ${((Date.now() - this.started) / 1000).toFixed(1)} s`].join('\n'));
    console.log(`matrix: ${passed} passed, ${failed} failed`);
  }
}
