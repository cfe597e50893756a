/**
 * The packed tarball's types, in plain TS projects (moduleResolution NodeNext and Bundler):
 * `defineConfig` checks a config and keeps its service names; `inject('cleanroom')` typechecks with
 * no extra line (the key is typed wherever cleanroom-e2e is imported, here by cleanroom.config.ts),
 * and with the one documented `Register` line the service names are typed too: `apii` is an error.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';
import { ROOT } from '../helpers/spawn.js';

const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');

/** The line the README tells users to add to cleanroom.config.ts. */
const REGISTER_LINE = "declare module 'cleanroom-e2e' { interface Register { config: typeof import('./cleanroom.config.js').default } }";

const CONFIG = (register: boolean) => `import { defineConfig } from 'cleanroom-e2e';
export default defineConfig({
  services: {
    api: { command: 'node s.js', port: 4101, ready: { url: 'http://localhost:4101/health', status: 200 } },
    web: { command: ['node', 'w.js'], dependsOn: ['api'] },
  },
});
${register ? REGISTER_LINE : ''}
`;

// Compiles in every project: the key typechecks (no /// <reference> line), .url is a string.
const GOOD = `
import { defineConfig, start, type ServicesInfo } from 'cleanroom-e2e';
import { inject } from 'vitest';
export const config = defineConfig({ services: { backend: { command: 'node s.js', port: 8000, ready: { url: 'http://localhost:8000/health', status: 200 } } } });
const info: ServicesInfo = inject('cleanroom');
const { api } = inject('cleanroom');
const url: string = api.url;
const names: 'backend' = Object.keys(config.services)[0] as keyof typeof config.services;
export async function f() { await using s = await start(config); return [s.info, info, url, names]; }
`;

// Every line is an error in every project (the line numbers are asserted).
const BAD = `import { defineConfig } from 'cleanroom-e2e';
import { inject } from 'vitest';
defineConfig({ services: { a: { command: 'x', stopTimeout: '5s' } } });
defineConfig({ services: { a: { command: 'x', readyTimout: 5000 } } });
export const n: number = inject('cleanroom').api.url;
`;

// With Register: a name that is not in the config is an error.
const WRONG_NAME = `import { inject } from 'vitest';
const { apii } = inject('cleanroom');
export { apii };
`;

const run = promisify(execFile);

async function typecheck(dir: string, resolution: 'NodeNext' | 'Bundler', register: boolean): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const module = resolution === 'NodeNext' ? 'NodeNext' : 'ESNext';
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { strict: true, module, moduleResolution: resolution, target: 'ES2022', noEmit: true, skipLibCheck: false, types: ['node'], typeRoots: [join(ROOT, 'node_modules/@types')] },
      include: ['*.ts'],
    }),
  );
  writeFileSync(join(dir, 'cleanroom.config.ts'), CONFIG(register));
  writeFileSync(join(dir, 'good.ts'), GOOD);
  writeFileSync(join(dir, 'bad.ts'), BAD);
  writeFileSync(join(dir, 'wrong-name.ts'), WRONG_NAME);
  try {
    await run(process.execPath, [TSC, '-p', dir], { encoding: 'utf8' });
    return '';
  } catch (e) {
    return String((e as { stdout?: string }).stdout);
  }
}

describe('types from the packed tarball', () => {
  // One tsc per project, all at once (loading Vitest's types is the slow part).
  it('inject(\'cleanroom\') typed with no line, names typed with the Register line; NodeNext and Bundler', { timeout: 180_000 }, async () => {
    const base = join(inject('consumerDir'), 'cases', `types-${process.pid}`);
    const projects = (['NodeNext', 'Bundler'] as const).flatMap((res) => [true, false].map((register) => ({ res, register })));
    const outs = await Promise.all(projects.map((p) => typecheck(join(base, `${p.res}-${p.register ? 'register' : 'plain'}`), p.res, p.register)));
    projects.forEach(({ res, register }, i) => {
      const out = outs[i]!;
      const label = `${res}, ${register ? 'with' : 'without'} Register:\n${out}`;
      expect(out, label).not.toMatch(/good\.ts|cleanroom\.config\.ts|node_modules/);
      expect(out, label).toMatch(/bad\.ts\(3,.*'string' is not assignable to type 'number'/); // stopTimeout: '5s'
      expect(out, label).toMatch(/bad\.ts\(4,.*readyTimout/); // an unknown key in a service
      expect(out, label).toMatch(/bad\.ts\(5,.*Type 'string' is not assignable to type 'number'/); // .url is a string
      if (register) expect(out, label).toMatch(/wrong-name\.ts\(2,9\): error TS2339: Property 'apii' does not exist/);
      else expect(out, label).not.toMatch(/wrong-name\.ts/); // without Register any name is allowed (Record<string, ServiceInfo>)
    });
  });
});
