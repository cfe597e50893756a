/**
 * For `cleanroom up`'s supervisor (kind 'up'), the ledger record is whole the moment start() resolves:
 * warm reuse and `cleanroom status` read it (url, readyAt, every process) as soon as the supervisor
 * answers. A test run's record may be completed one turn later (Tracker.refreshSoon). Real services.
 */
import { expect, it } from 'vitest';
import { start } from '../../src/index.js';
import { readRecords } from '../../src/ledger/ledger.js';
import { silentLogger } from '../../src/run/log.js';
import { stopWhenDone, testMark } from '../helpers/api.js';
import { freePort } from '../helpers/os.js';
import { SERVICE } from '../helpers/spawn.js';

it("kind 'up': url, readyAt and the service's children are in the record when start() resolves", async () => {
  const mark = testMark();
  const port = await freePort();
  const services = stopWhenDone(
    await start(
      { services: { api: { command: [process.execPath, SERVICE], port, env: { PORT: String(port), CHILDREN: '2', TEST_MARK: mark } } } },
      { logger: silentLogger, kind: 'up', warmReuse: false },
    ),
  );
  // Synchronously, in the same turn as start()'s answer.
  const record = readRecords().find((r) => r.runId === services.runId);
  expect(record, 'the run has a record').toBeDefined();
  const api = record!.services.find((s) => s.name === 'api')!;
  expect(api.url).toBe(services.info.api?.url);
  expect(api.readyAt).toBeDefined();
  expect(api.pids.length).toBeGreaterThanOrEqual(3); // the leader and its two children
  await services.stop();
});
