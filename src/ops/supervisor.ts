/**
 * The supervisor of `cleanroom up`: a detached `cleanroom __supervise` process that starts the
 * services (one start() each, so each can be restarted alone), tells the `up` command once they are
 * ready (one JSON line on stdout), then keeps them running and answers `down` and `restart` on a
 * unix socket in the private state folder.
 *
 * Nothing is orphaned: start() launches the watchdog for this process, so a `kill -9` of the
 * supervisor still stops every service; SIGTERM/SIGINT/SIGHUP stop them and exit. Signals are
 * handled here (signals: 'caller'), not by start()'s 'auto' mode: with several start() calls in one
 * process, each 'auto' guard would see the others listening and leave ending the process to them.
 */
import { appendFileSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { loadConfig } from '../config/load.js';
import type { ResolvedConfig, ResolvedService } from '../config/resolve.js';
import type { Logger } from '../run/log.js';
import { start, type Services } from '../run/start.js';
import { serviceLogFile, socketPath, supervisorLogFile } from './up-runs.js';

export type SupervisorRequest = { op: 'restart'; name: string } | { op: 'down'; names: string[] } | { op: 'ping' };

export interface UpServiceInfo {
  name: string;
  url: string;
  port?: number;
  pid: number;
}

export type SupervisorReply = { ok: true; services?: UpServiceInfo[]; left?: number } | { ok: false; error: string };

/** The handshake line the `up` command waits for. */
export type Handshake = { t: 'ready'; upId: string; services: UpServiceInfo[] } | { t: 'failed'; error: string };

function fileLogger(file: string): Logger {
  const write = (level: string, msg: string) => {
    try {
      appendFileSync(file, `${new Date().toISOString()} ${level} ${msg}\n`, { mode: 0o600 });
    } catch {
      /* nowhere else to say it */
    }
  };
  return { info: (m) => write('info', m), warn: (m) => write('warn', m), error: (m) => write('error', m) };
}

/** The service, and the ones it depends on, in an order where dependencies come first. */
export function withDependencies(cfg: ResolvedConfig, names: string[]): ResolvedService[] {
  const byName = new Map(cfg.services.map((s) => [s.name, s]));
  const out: ResolvedService[] = [];
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    const s = byName.get(name)!;
    s.dependsOn.forEach(visit);
    out.push(s);
  };
  (names.length ? names : cfg.services.map((s) => s.name)).forEach(visit);
  return out;
}

export async function supervise(opts: { config: string; names: string[]; upId: string; skip: string[] }): Promise<void> {
  const log = fileLogger(supervisorLogFile(opts.upId));
  const handshake = (h: Handshake) => {
    try {
      process.stdout.write(`${JSON.stringify(h)}\n`);
    } catch {
      /* the up command is gone */
    }
  };
  process.stdout.on('error', () => {}); // EPIPE once `up` has exited: the handshake is the only write
  log.info(`supervisor pid ${process.pid} for ${opts.config}`);

  let cfg: ResolvedConfig;
  try {
    cfg = await loadConfig(opts.config);
  } catch (err) {
    handshake({ t: 'failed', error: (err as Error).message });
    process.exitCode = 1;
    return;
  }
  const running = new Map<string, Services>();
  const startService = async (svc: ResolvedService): Promise<Services> => {
    // Dependencies are ordered here, across the separate start() calls.
    const one: ResolvedConfig = { ...cfg, services: [{ ...svc, dependsOn: [] }] };
    const s = await start(one, {
      signals: 'caller',
      kind: 'up',
      upId: opts.upId,
      logger: log,
      warmReuse: false,
      logFile: (name) => serviceLogFile(opts.upId, name),
    });
    s.onFailure((e) => log.error(`${e.service} exited while up (${e.signal ?? `code ${e.code}`}); \`cleanroom restart ${e.service}\` starts it again`));
    running.set(svc.name, s);
    return s;
  };
  const infoOf = (name: string): UpServiceInfo => {
    const i = running.get(name)!.info[name]!;
    return { name, url: i.url, pid: i.pid, ...(i.port !== undefined && { port: i.port }) };
  };
  let stoppingAll: Promise<void> | undefined;
  const stopAll = (why: string) => {
    stoppingAll ??= (async () => {
      log.info(`stopping every service: ${why}`);
      await Promise.all([...running.values()].map((s) => s.stop()));
      running.clear();
    })();
    return stoppingAll;
  };

  // Start: each service once its dependencies (of this up) are ready.
  const order = withDependencies(cfg, opts.names).filter((s) => !opts.skip.includes(s.name));
  const ready = new Map<string, Promise<unknown>>();
  for (const svc of order) {
    ready.set(
      svc.name,
      Promise.all(svc.dependsOn.map((d) => ready.get(d))).then(() => startService(svc)),
    );
  }
  const results = await Promise.allSettled(ready.values());
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await stopAll('start-up failed');
    handshake({ t: 'failed', error: (failed.reason as Error)?.message ?? String(failed.reason) });
    process.exitCode = 1;
    return;
  }

  const sock = socketPath(opts.upId);
  rmSync(sock, { force: true });
  const server: Server = createServer();
  const finish = async (why: string, code = 0) => {
    await stopAll(why);
    server.close();
    rmSync(sock, { force: true });
    log.info('supervisor exits');
    process.exit(code);
  };
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => void finish(`received ${sig}`));

  const handle = async (req: SupervisorRequest): Promise<SupervisorReply> => {
    if (req.op === 'ping') return { ok: true, services: [...running.keys()].map(infoOf) };
    if (req.op === 'down') {
      const names = req.names.length ? req.names.filter((n) => running.has(n)) : [...running.keys()];
      await Promise.all(names.map((n) => running.get(n)!.stop()));
      for (const n of names) running.delete(n);
      log.info(`down: ${names.join(', ') || '(nothing)'}`);
      return { ok: true, left: running.size };
    }
    // restart: the config is read again, so a changed definition takes effect.
    let fresh: ResolvedConfig;
    try {
      fresh = await loadConfig(opts.config, undefined, { fresh: true });
    } catch (err) {
      return { ok: false, error: (err as Error).message };
    }
    const svc = fresh.services.find((s) => s.name === req.name);
    if (!svc) return { ok: false, error: `cleanroom: service "${req.name}" is no longer in ${opts.config}` };
    cfg = fresh;
    const old = running.get(req.name);
    running.delete(req.name);
    if (old) await old.stop();
    log.info(`restart: ${req.name}`);
    try {
      await startService(svc);
    } catch (err) {
      return { ok: false, error: (err as Error).message };
    }
    return { ok: true, services: [infoOf(req.name)] };
  };

  server.on('connection', (conn: Socket) => {
    let buf = '';
    conn.setEncoding('utf8');
    conn.on('error', () => {});
    conn.on('data', (chunk: string) => {
      buf += chunk;
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      let req: SupervisorRequest;
      try {
        req = JSON.parse(buf.slice(0, nl)) as SupervisorRequest;
      } catch {
        conn.end(`${JSON.stringify({ ok: false, error: 'bad request' })}\n`);
        return;
      }
      void handle(req).then((reply) => {
        conn.end(`${JSON.stringify(reply)}\n`);
        if (req.op === 'down' && running.size === 0) void finish('every service is down');
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(sock, () => resolve());
  });
  handshake({ t: 'ready', upId: opts.upId, services: order.map((s) => infoOf(s.name)) });
}
