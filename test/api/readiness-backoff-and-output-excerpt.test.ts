/**
 * Readiness polling stays fast while nothing listens and backs off once something answers (a service
 * that logs every probe, like uvicorn, is not flooded), a failure message keeps the service's first
 * lines as well as its last (the real start-up error is often the first line), and `\r` (progress bars) breaks lines. Real processes, real sockets.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ServiceError, start } from '../../src/index.js';
import { silentLogger } from '../../src/run/log.js';
import { nextPollMs } from '../../src/ready/wait-ready.js';
import { rejectionOf, stopWhenDone, tempDir, testMark } from '../helpers/api.js';
import { freePort } from '../helpers/os.js';

const node = process.execPath;

/** An HTTP server on PORT that answers 503 forever, counts requests in COUNT_FILE and logs each one. */
const SICK_SERVER = `
const fs = require('fs');
console.error('FATAL: DATABASE_URL is not set; serving 503 until it is');
let n = 0;
require('http').createServer((req, res) => {
  fs.writeFileSync(process.env.COUNT_FILE, String(++n));
  console.log('INFO: 127.0.0.1 - "GET ' + req.url + ' HTTP/1.1" 503 Service Unavailable');
  res.writeHead(503).end();
}).listen(Number(process.env.PORT));
process.on('SIGTERM', () => process.exit(0));
`;

describe('readiness polling and the output excerpt', () => {
  it('probes back off: a service never ready for 5 s gets well under the ~400 probes of 10 ms polling', async () => {
    const mark = testMark();
    const port = await freePort();
    const countFile = join(tempDir(), 'count');
    const { error } = await rejectionOf(
      start(
        {
          services: {
            sick: {
              command: [node, '-e', SICK_SERVER],
              port,
              ready: `http://localhost:${port}/health`,
              readyTimeout: 5000,
              env: { PORT: String(port), COUNT_FILE: countFile, TEST_MARK: mark },
            },
          },
        },
        { logger: silentLogger },
      ),
    );
    expect(error).toBeInstanceOf(ServiceError);
    const probes = Number(readFileSync(countFile, 'utf8'));
    // 10 ms for the first 0.5 s (~50), then growing to 250 ms: ~75 in 5 s. 10 ms throughout: 186 in 3 s here under load, ~400 in 5 s.
    expect(probes).toBeGreaterThan(10);
    expect(probes).toBeLessThan(120);
    // The first line (the real error) survives the probe log lines that followed it.
    expect(error.message).toContain('| FATAL: DATABASE_URL is not set');
    expect(error.message).toMatch(/\| INFO: 127\.0\.0\.1 - "GET \/health HTTP\/1\.1" 503 Service Unavailable$/);
  });

  it('a failure message shows the first 10 and the last 20 lines, saying how many were left out', async () => {
    const mark = testMark();
    // writeSync: console.log to a pipe is asynchronous, and process.exit() would drop what is pending.
    const script = `for (let i = 1; i <= 300; i++) require('fs').writeSync(1, 'line ' + i + '\\n'); process.exit(4)`;
    const { error } = await rejectionOf(
      start({ services: { chatty: { command: [node, '-e', script], port: await freePort(), env: { TEST_MARK: mark } } } }, { logger: silentLogger }),
    );
    expect(error).toBeInstanceOf(ServiceError);
    const shown = error.message.split('\n').filter((l) => l.startsWith('    | ')).map((l) => l.slice(6));
    const expected = [...Array.from({ length: 10 }, (_, i) => `line ${i + 1}`), '… 270 lines …', ...Array.from({ length: 20 }, (_, i) => `line ${281 + i}`)];
    expect(shown).toEqual(expected);
    expect(error.message).toContain('first 10 and last 20 of 300 lines from chatty');
  });

  it('\\r breaks lines: a progress bar is lines, and a log pattern matches one of them', async () => {
    const mark = testMark();
    const bar = `process.stdout.write([10, 50, 100].map((p) => 'downloading ' + p + '%').join('\\r') + '\\r'); setInterval(() => {}, 1000); process.on('SIGTERM', () => process.exit(0))`;
    const services = stopWhenDone(
      await start(
        { services: { fetcher: { command: [node, '-e', bar], ready: { log: /^downloading 100%$/ }, readyTimeout: 10_000, env: { TEST_MARK: mark } } } },
        { logger: silentLogger },
      ),
    );
    await services.stop();

    const crash = `process.stdout.write('downloading 10%\\rdownloading 100%\\rerror: disk full\\n'); process.exit(2)`;
    const { error } = await rejectionOf(
      start({ services: { fetcher: { command: [node, '-e', crash], port: await freePort(), env: { TEST_MARK: mark } } } }, { logger: silentLogger }),
    );
    expect(error.message).not.toContain('\r');
    expect(error.message).toMatch(/\| downloading 10%\n {4}\| downloading 100%\n {4}\| error: disk full$/);
  });
});

describe('the poll schedule (nextPollMs)', () => {
  it('stays at 10 ms while the connection is refused (nothing listens, nothing can log it), for 10 s, then 50 ms', () => {
    for (const elapsed of [0, 499, 500, 2000, 9999]) expect(nextPollMs(elapsed, 250, true), `at ${elapsed} ms`).toBe(10);
    expect(nextPollMs(10_000, 10, true)).toBe(50);
    expect(nextPollMs(60_000, 10, true)).toBe(50);
  });

  it('backs off to 250 ms once something answers but is not ready (after the first 500 ms)', () => {
    expect(nextPollMs(100, 10, false)).toBe(10);
    expect(nextPollMs(600, 10, false)).toBe(15);
    expect(nextPollMs(800, 100, false)).toBe(150);
    expect(nextPollMs(900, 200, false)).toBe(250);
    // Refused again: back to 10 ms at once, and the backoff starts over once it answers.
    expect(nextPollMs(1000, 250, true)).toBe(10);
    expect(nextPollMs(1100, 10, false)).toBe(15);
  });
});

describe('the poll schedule with many services waiting at once', () => {
  it('each polls less often, so that together they poll about every 5 ms: 20 waiting → every 100 ms each', () => {
    expect(nextPollMs(100, 10, true, 1)).toBe(10);
    expect(nextPollMs(100, 10, true, 2)).toBe(10);
    expect(nextPollMs(100, 10, true, 3)).toBe(20);
    expect(nextPollMs(100, 10, true, 20)).toBe(100);
    expect(nextPollMs(100, 10, false, 20)).toBe(100);
    // The backoff's ceiling is the same for all.
    expect(nextPollMs(5000, 250, false, 40)).toBe(250);
  });
});
