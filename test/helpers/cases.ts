/**
 * Small consumer projects for the runner tests: a cleanroom.config.mjs with two services built from
 * test/fixtures/service.mjs, plus a Vitest or Playwright suite, written inside the scratch consumer
 * project where the packed tarball is installed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './os.js';
import { ROOT, SERVICE } from './spawn.js';

export const VITEST_BIN = join(ROOT, 'node_modules/vitest/vitest.mjs');
export const PLAYWRIGHT_BIN = join(ROOT, 'node_modules/@playwright/test/cli.js');

/** Relative to the service's cwd (the case folder): a service with EXIT_ON_FILE: CRASH_FILE crashes when crashNow() runs. */
export const CRASH_FILE = 'crash-now';

export function crashNow(c: Case): void {
  writeFileSync(join(c.dir, CRASH_FILE), '');
}

export interface Case {
  dir: string;
  /** The api's setsid()'d, environment-cleared child writes its pid here (no tag can find it). */
  cleanEnvChildPidFile: string;
  apiPort: number;
  webPort: number;
}

export interface CaseOptions {
  /** Extra env for the api service (e.g. EXIT_AFTER_MS to crash it during the tests). */
  apiEnv?: Record<string, string>;
  /** Extra keys for every service (e.g. stopTimeout). */
  serviceExtra?: Record<string, unknown>;
}

/** Writes the case folder with its cleanroom.config.mjs. */
export async function makeCase(consumerDir: string, name: string, opts: CaseOptions = {}): Promise<Case> {
  const dir = join(consumerDir, 'cases', `${name}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
  mkdirSync(dir, { recursive: true });
  const apiPort = await freePort();
  const webPort = await freePort();
  const cleanEnvChildPidFile = join(dir, 'clean-env-child.pid');
  const service = (env: Record<string, string>, extra: Record<string, unknown>) =>
    JSON.stringify({ command: [process.execPath, SERVICE], env, ...opts.serviceExtra, ...extra });
  writeFileSync(
    join(dir, 'cleanroom.config.mjs'),
    `import { defineConfig } from 'cleanroom-e2e';
export default defineConfig({
  services: {
    api: ${service({ PORT: String(apiPort), CHILDREN: '2', SETSID_CHILD: '1', DOUBLE_FORK: '1', CLEAN_ENV_CHILD: cleanEnvChildPidFile, ...opts.apiEnv }, { port: apiPort })},
    web: ${service({ PORT: String(webPort), CHILDREN: '1' }, { port: webPort, dependsOn: ['api'] })},
  },
});
`,
  );
  return { dir, apiPort, webPort, cleanEnvChildPidFile };
}

/** A Vitest suite using cleanroom-e2e/vitest. HANG_MS makes the test hold on after printing TEST RUNNING. */
export function writeVitestSuite(c: Case, opts: { fail?: boolean } = {}): void {
  writeFileSync(join(c.dir, 'vitest.config.mjs'), `export default { test: { globalSetup: ['cleanroom-e2e/vitest'], include: ['*.test.mjs'], testTimeout: 60000, pool: 'forks' } };\n`);
  writeFileSync(
    join(c.dir, 'suite.test.mjs'),
    `import { inject, test, expect } from 'vitest';
test('services are up', async () => {
  const s = inject('cleanroom');
  const r = await fetch(s.api.url);
  expect(r.status).toBe(200);
  expect(process.env.CLEANROOM_WEB_URL).toBe(s.web.url);
  console.log('TEST RUNNING worker=' + process.pid);
  if (process.env.HANG_MS) await new Promise((r) => setTimeout(r, Number(process.env.HANG_MS)));
  expect(${opts.fail ? 'false' : 'true'}).toBe(true);
});
`,
  );
}

/** A Playwright suite (API requests only, no browser) using cleanroom-e2e/playwright. */
export function writePlaywrightSuite(c: Case, opts: { fail?: boolean } = {}): void {
  writeFileSync(
    join(c.dir, 'playwright.config.mjs'),
    `export default { testDir: '.', testMatch: /.*\\.spec\\.mjs$/, globalSetup: 'cleanroom-e2e/playwright', workers: 1, reporter: 'line', timeout: 60000 };\n`,
  );
  writeFileSync(
    join(c.dir, 'suite.spec.mjs'),
    `import { test, expect } from '@playwright/test';
test('services are up', async ({ request }) => {
  const r = await request.get(process.env.CLEANROOM_API_URL);
  expect(r.ok()).toBe(true);
  expect(process.env.CLEANROOM_WEB_PORT).toBe('${c.webPort}');
  console.log('TEST RUNNING worker=' + process.pid);
  if (process.env.HANG_MS) await new Promise((r) => setTimeout(r, Number(process.env.HANG_MS)));
  expect(${opts.fail ? 'false' : 'true'}).toBe(true);
});
`,
  );
}

/**
 * A script using the programmatic API. MODE: 'wait' (start, then wait to be signalled), 'throw'
 * (uncaught exception after start), 'exit' (process.exit(0) without stop), 'reject' (unhandled
 * rejection), 'using' (await using: normal end), 'signal-exit' (like 'wait', with signal-exit's listener loaded),
 * 'own-handler' (its own SIGINT handler stops the services after 1.5 s and exits 42).
 */
export function writeApiScript(c: Case): string {
  const file = join(c.dir, 'runner.mjs');
  writeFileSync(
    file,
    `import { start, loadConfig } from 'cleanroom-e2e';
const mode = process.env.MODE;
if (mode === 'signal-exit') {
  // A library (signal-exit, via execa's cleanup) that also listens and waits for someone else to exit.
  const { onExit } = await import('signal-exit');
  onExit(() => {});
}
if (mode === 'own-handler') {
  // The user's own SIGINT handler stops the services and exits with its own code, after a while.
  const services = await start(await loadConfig());
  let calls = 0;
  process.on('SIGINT', () => {
    console.log('HANDLER ' + ++calls);
    setTimeout(async () => { await services.stop(); process.exit(42); }, 1500);
  });
  console.log('TEST RUNNING ' + services.info.api.url);
  setInterval(() => {}, 1000);
} else if (mode === 'using') {
  // What \`await using services = await start(...)\` compiles to (Node 20 lacks the syntax).
  const services = await start(await loadConfig());
  try {
    console.log('TEST RUNNING ' + services.info.api.url);
    await new Promise((r) => setTimeout(r, 300));
  } finally {
    await services[Symbol.asyncDispose]();
  }
} else {
  const services = await start(await loadConfig());
  console.log('TEST RUNNING ' + services.info.api.url);
  setTimeout(() => {
    if (mode === 'throw') throw new Error('boom: uncaught');
    if (mode === 'exit') process.exit(0);
    if (mode === 'reject') Promise.reject(new Error('boom: unhandled rejection'));
  }, 200);
  setInterval(() => {}, 1000);
}
`,
  );
  return file;
}
