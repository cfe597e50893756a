/**
 * A ready URL whose scheme does not match the server says so in the readiness detail, in plain
 * words, instead of OpenSSL's text: https:// against a plain HTTP server (the fixture service).
 */
import { describe, expect, it } from 'vitest';
import { ServiceError, start } from '../../src/index.js';
import { silentLogger } from '../../src/run/log.js';
import { processesWithEnv, rejectionOf, testMark } from '../helpers/api.js';
import { freePort } from '../helpers/os.js';
import { SERVICE } from '../helpers/spawn.js';

describe('ready URL scheme', () => {
  it('https:// against a plain HTTP server: "the server answered plain HTTP, not TLS: use http://"', async () => {
    const mark = testMark();
    const port = await freePort();
    const { error } = await rejectionOf(
      start(
        {
          services: {
            api: { command: [process.execPath, SERVICE], port, env: { PORT: String(port), TEST_MARK: mark }, ready: `https://localhost:${port}/health`, readyTimeout: 1500 },
          },
        },
        { logger: silentLogger },
      ),
    );
    expect(error).toBeInstanceOf(ServiceError);
    expect(error.message).toContain(`Checked GET https://localhost:${port}/health answering 2xx/3xx (every 10 ms, backing off to every 250 ms once it answers); last result: the server answered plain HTTP, not TLS: use http:// in ready.url.`);
    expect(error.message).not.toMatch(/SSL routines|EPROTO/);
    expect(processesWithEnv('TEST_MARK', mark)).toEqual([]);
  });
});
