/**
 * Servers that choose their own port: `ready: { log }` with a named group `url` or `port` hands the
 * port and URL over to the tests, once the listener there is proven to be the service's own. And the
 * config side of port: 'auto' / {port}: a relative ready URL needs a port.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, resolveConfig, start } from '../../src/index.js';
import { silentLogger } from '../../src/run/log.js';
import { answeringPid, stopWhenDone, testMark } from '../helpers/api.js';
import { portIsFree } from '../helpers/os.js';

/** A server on a port the kernel picks (listen(0)), printing where it listens. */
const OWN_PORT = `const s = require('http').createServer((q, r) => r.end('ok ' + process.pid)); s.listen(0, () => console.log('listening on http://localhost:' + s.address().port + ' (port ' + s.address().port + ')'))`;

describe('ready: { log } with a named group', () => {
  it.each([
    ['url', /listening on (?<url>http:\S+)/],
    ['port', /\(port (?<port>\d+)\)/],
  ])('(?<%s>…) gives the tests the port the server chose', async (_group, pattern) => {
    const mark = testMark();
    const services = stopWhenDone(
      await start({ services: { own: { command: [process.execPath, '-e', OWN_PORT], env: { TEST_MARK: mark }, ready: { log: pattern } } } }, { logger: silentLogger }),
    );
    const info = services.info.own!;
    expect(info.port).toBeGreaterThan(0);
    expect(info.url).toBe(`http://localhost:${info.port}`);
    expect(services.env).toMatchObject({ CLEANROOM_OWN_PORT: String(info.port), CLEANROOM_OWN_URL: info.url });
    expect(await answeringPid(info.port!)).toBe(info.pid);
    await services.stop();
    expect(await portIsFree(info.port!)).toBe(true);
  });
});

describe('config: relative ready URLs and {port}', () => {
  it('a path or a {port} placeholder without a port is rejected, naming the service', () => {
    let err: unknown;
    try {
      resolveConfig({ services: { a: { command: 'x', ready: '/health' }, b: { command: 'x', ready: { url: 'http://localhost:{port}/' } } } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toEqual([
      "services.a.ready: /health needs the service's port: set port (a number or 'auto'), or give a full URL",
      "services.b.ready: http://localhost:{port}/ needs the service's port: set port (a number or 'auto'), or give a full URL",
    ]);
  });

  it("a fixed port fills {port} and relative ready URLs at once; 'auto' leaves them for start", () => {
    const cfg = resolveConfig({
      portBase: 9100,
      services: {
        a: { command: 'serve --port {port}', port: 9001, env: { P: '{port}' }, ready: '/health' },
        b: { command: ['serve', '--port={port}'], port: 'auto', ready: { url: '/health' } },
      },
    });
    const [a, b] = cfg.services;
    expect(a).toMatchObject({ command: 'serve --port 9001', env: { P: '9001' }, port: 9001, ready: { kind: 'http', url: 'http://localhost:9001/health' } });
    expect(a!.env.PORT).toBeUndefined();
    expect(b).toMatchObject({ command: ['serve', '--port={port}'], autoPort: { base: 9100 }, ready: { kind: 'http', url: '/health' } });
    expect(b!.port).toBeUndefined();
  });

  it("port must be a number or 'auto'", () => {
    expect(() => resolveConfig({ services: { a: { command: 'x', port: 'any' } } })).toThrow(/services\.a\.port: must be a whole number 1-65535 or 'auto' \(got "any"\)/);
  });
});
