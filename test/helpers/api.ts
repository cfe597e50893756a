/**
 * Helpers for the programmatic-API tests: a logger that keeps lines, OS lookups that os.ts does not
 * offer (by env mark, by parent, a process's group, what an fd points at), and per-test cleanup that
 * only ever kills, by pid, processes this test started (they carry its run id or its TEST_MARK).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect, onTestFinished } from 'vitest';
import type { Logger, Services } from '../../src/index.js';
import { isAlive, processesOfRun, type Proc } from './os.js';

export interface LogLine {
  level: 'info' | 'warn' | 'error';
  msg: string;
}

/** A logger that keeps every line, for tests that assert on what cleanroom printed. */
export function captureLogger(): { logger: Logger; lines: LogLine[]; text: (level?: LogLine['level']) => string } {
  const lines: LogLine[] = [];
  const logger: Logger = {
    info: (msg) => void lines.push({ level: 'info', msg }),
    warn: (msg) => void lines.push({ level: 'warn', msg }),
    error: (msg) => void lines.push({ level: 'error', msg }),
  };
  const text = (level?: LogLine['level']) =>
    lines
      .filter((l) => !level || l.level === level)
      .map((l) => l.msg)
      .join('\n');
  return { logger, lines, text };
}

export interface ProcStat {
  pid: number;
  state: string;
  ppid: number;
  pgid: number;
  sid: number;
  startTime: number;
}

/** /proc/PID/stat, or undefined when the pid is gone. */
export function statOf(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { pid, state: f[0]!, ppid: Number(f[1]), pgid: Number(f[2]), sid: Number(f[3]), startTime: Number(f[19]) };
  } catch {
    return undefined;
  }
}

function livePids(): ProcStat[] {
  const out: ProcStat[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = statOf(Number(name));
    if (s && s.state !== 'Z' && s.state !== 'X') out.push(s);
  }
  return out;
}

/** Every live process whose environment holds NAME=value. */
export function processesWithEnv(name: string, value: string): Proc[] {
  const entry = `${name}=${value}`;
  return livePids()
    .filter((s) => {
      try {
        return readFileSync(`/proc/${s.pid}/environ`, 'latin1').split('\0').includes(entry);
      } catch {
        return false;
      }
    })
    .map((s) => ({ pid: s.pid, startTime: s.startTime }));
}

/** Live direct children of a pid (found by parent pid). */
export function childrenOf(pid: number): Proc[] {
  return livePids()
    .filter((s) => s.ppid === pid)
    .map((s) => ({ pid: s.pid, startTime: s.startTime }));
}

/** What a process's file descriptor points at, e.g. `pipe:[1234]`. */
export function fdTarget(pid: number, fd: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/fd/${fd}`);
  } catch {
    return undefined;
  }
}

/** SIGKILLs each process that is still the one first seen (pid and start time): the tests' last resort. */
export function killProcs(procs: Proc[]): void {
  for (const p of procs) {
    if (!isAlive(p)) continue;
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      /* gone meanwhile */
    }
  }
}

/**
 * A mark unique to this test, to put in every service's env as TEST_MARK: it finds the test's processes
 * even when start() rejected (no run id to look for). Anything still carrying it when the test ends,
 * pass or fail, is SIGKILLed by pid.
 */
export function testMark(): string {
  const mark = randomUUID();
  onTestFinished(() => killProcs(processesWithEnv('TEST_MARK', mark)));
  return mark;
}

/** Stops `services` when the test ends, pass or fail, then SIGKILLs (by pid) anything of its run still alive. */
export function stopWhenDone<T extends Services>(services: T): T {
  onTestFinished(async () => {
    await services.stop().catch(() => {});
    killProcs(processesOfRun(services.runId));
  });
  return services;
}

/** A temp folder for marker files, removed when the test ends. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cleanroom-api-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * Collects every process carrying TEST_MARK=mark, every 20 ms, until stop(): shows what existed while
 * start() was still running (it may be gone by the time start() rejects).
 */
export function watchMarked(mark: string): { stop: () => Proc[] } {
  const seen = new Map<number, Proc>();
  const scan = () => {
    for (const p of processesWithEnv('TEST_MARK', mark)) seen.set(p.pid, p);
  };
  scan();
  const timer = setInterval(scan, 20);
  onTestFinished(() => clearInterval(timer));
  return {
    stop() {
      clearInterval(timer);
      scan();
      return [...seen.values()];
    },
  };
}

/** One plain GET (no keep-alive): status and body, or undefined when nothing answers. */
export function httpGet(host: string, port: number, path = '/'): Promise<{ status: number; body: string } | undefined> {
  return new Promise((resolve) => {
    const req = get({ host, port, path, agent: false, headers: { connection: 'close' }, timeout: 2000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', () => resolve(undefined));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
  });
}

/** The pid of the fixture service answering on 127.0.0.1:port ("ok <pid>"), or undefined. */
export async function answeringPid(port: number, host = '127.0.0.1'): Promise<number | undefined> {
  const r = await httpGet(host, port);
  const m = r && /^ok (\d+)$/.exec(r.body);
  return m ? Number(m[1]) : undefined;
}

/** Polls `fn` until it returns a truthy value, or fails the test after `timeoutMs`. */
export async function waitFor<T>(what: string, fn: () => T | Promise<T>, timeoutMs = 5000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) expect.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

/**
 * Awaits `p` and returns its rejection with how long it took (time counts from this call). Fails the
 * test if it resolves, after stopping what it started.
 */
export async function rejectionOf(p: Promise<Services>): Promise<{ error: Error; ms: number }> {
  const t0 = performance.now();
  let services: Services;
  try {
    services = await p;
  } catch (error) {
    return { error: error as Error, ms: performance.now() - t0 };
  }
  await services.stop();
  return expect.fail('expected start() to reject, but it resolved');
}
