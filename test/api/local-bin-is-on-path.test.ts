/**
 * A command installed in node_modules/.bin (of the service's cwd or a folder above it) is found
 * without a path, in the array form (exec'd directly) and the string form (through /bin/sh), as
 * execa's preferLocal did before spawn moved to node:child_process; and the service's env reaches it.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { start } from '../../src/index.js';
import { silentLogger } from '../../src/run/log.js';
import { processesWithEnv, tempDir, testMark } from '../helpers/api.js';

it('finds node_modules/.bin commands from the cwd upwards, both command forms, with the service env', async () => {
  const mark = testMark();
  const root = tempDir();
  const bin = join(root, 'node_modules', '.bin');
  const cwd = join(root, 'packages', 'app');
  mkdirSync(bin, { recursive: true });
  mkdirSync(cwd, { recursive: true });
  const tool = join(bin, 'cleanroom-local-tool');
  writeFileSync(tool, '#!/bin/sh\necho "$GREETING" > "$OUT"\nexec sleep 30\n');
  chmodSync(tool, 0o755);
  const outA = join(root, 'a.txt');
  const outB = join(root, 'b.txt');

  const services = await start(
    {
      services: {
        arrayForm: { command: ['cleanroom-local-tool'], cwd, env: { OUT: outA, GREETING: 'hello a', TEST_MARK: mark }, ready: { check: () => existsSync(outA) } },
        stringForm: { command: 'cleanroom-local-tool --x', cwd, env: { OUT: outB, GREETING: 'hello b', TEST_MARK: mark }, ready: { check: () => existsSync(outB) } },
      },
    },
    { logger: silentLogger },
  );
  try {
    expect(readFileSync(outA, 'utf8').trim()).toBe('hello a');
    expect(readFileSync(outB, 'utf8').trim()).toBe('hello b');
    expect(processesWithEnv('TEST_MARK', mark).length).toBeGreaterThanOrEqual(2);
  } finally {
    await services.stop();
  }
  expect(processesWithEnv('TEST_MARK', mark)).toEqual([]);
});
