/**
 * Some servers take a second SIGINT/SIGTERM as "quit now, skip the graceful part". When a signal
 * guard has already sent the stop signal (Ctrl+C reaches cleanroom's listener first) and the runner's
 * own teardown then calls stop() — Playwright does exactly that — the service gets it once.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { freePort, portFreesWithin } from '../helpers/os.js';
import { ROOT } from '../helpers/spawn.js';
import { startRunner, type Runner } from '../helpers/runner.js';

let runner: Runner | undefined;
let dir: string | undefined;
afterEach(() => {
  runner?.kill();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('Ctrl+C, then the runner\'s own teardown calls stop(): one SIGTERM, not two', async () => {
  dir = mkdtempSync(join(tmpdir(), 'cleanroom-once-'));
  const port = await freePort();
  const log = join(dir, 'signals.log');
  // A server that writes each SIGTERM it gets, then takes 600 ms to shut down gracefully.
  const server = `const fs = require('fs'); require('http').createServer((q, r) => r.end('ok')).listen(${port});
process.on('SIGTERM', () => { fs.appendFileSync(${JSON.stringify(log)}, 'SIGTERM\\n'); setTimeout(() => process.exit(0), 600); });`;
  const file = join(dir, 'runner.mjs');
  writeFileSync(
    file,
    `import { start } from ${JSON.stringify(join(ROOT, 'dist/index.js'))};
const s = await start({ services: { api: { command: [process.execPath, '-e', ${JSON.stringify(server)}], port: ${port} } } });
// Like Playwright: its own SIGINT handler runs the teardown, which calls stop().
process.on('SIGINT', async () => { await s.stop(); process.exit(130); });
console.log('TEST RUNNING');
setInterval(() => {}, 1000);
`,
  );
  runner = startRunner(process.execPath, [file], { cwd: dir });
  await runner.waitFor(/TEST RUNNING/);
  runner.signal('SIGINT');
  const exit = await runner.exited;
  expect(exit.code, runner.output()).toBe(130);
  expect(existsSync(log), 'the service never got its stop signal').toBe(true);
  expect(readFileSync(log, 'utf8')).toBe('SIGTERM\n');
  expect(await portFreesWithin(port)).toBe(true);
});
