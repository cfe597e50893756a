/**
 * The packed tarball's types: `defineConfig` checks a config, `inject('cleanroom')` is typed through
 * the ProvidedContext augmentation of `cleanroom-e2e/vitest`, and a wrong key is a type error.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { ROOT } from '../helpers/spawn.js';

const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');

const GOOD = `
import { defineConfig, start, type ServicesInfo } from 'cleanroom-e2e';
import type {} from 'cleanroom-e2e/vitest';
import { inject } from 'vitest';
export const config = defineConfig({ services: { backend: { command: 'node s.js', port: 8000, ready: { url: 'http://localhost:8000/health', status: 200 } } } });
const info: ServicesInfo = inject('cleanroom');
const url: string = inject('cleanroom').backend!.url;
export async function f() { await using s = await start(config); return [s.info, info, url]; }
`;

const BAD = `import { defineConfig } from 'cleanroom-e2e';
import type {} from 'cleanroom-e2e/vitest';
import { inject } from 'vitest';
defineConfig({ services: { a: { command: 'x', stopTimeout: '5s' } } });
export const n: number = inject('cleanroom').a!.url;
`;

describe('types from the packed tarball', () => {
  // One tsc run (loading Vitest's types is the slow part): good.ts must be clean, bad.ts must not.
  it('defineConfig, start (await using) and inject(\'cleanroom\') typecheck; wrong ones do not', { timeout: 120_000 }, () => {
    const dir = join(inject('consumerDir'), 'cases', `types-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { strict: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', noEmit: true, types: ['node'], typeRoots: [join(ROOT, 'node_modules/@types')] },
        files: ['good.ts', 'bad.ts'],
      }),
    );
    writeFileSync(join(dir, 'good.ts'), GOOD);
    writeFileSync(join(dir, 'bad.ts'), BAD);
    let out = '';
    try {
      execFileSync(process.execPath, [TSC, '-p', dir], { encoding: 'utf8' });
    } catch (e) {
      out = String((e as { stdout?: string }).stdout);
    }
    expect(out).not.toMatch(/good\.ts/);
    expect(out).toMatch(/bad\.ts\(4,.*/); // stopTimeout: '5s'
    expect(out).toMatch(/bad\.ts\(5,.*/); // url is a string, not a number
  });
});
