/**
 * The ledger's hardening (issue 7): a file of another shape in the state folder is skipped, not fatal;
 * an existing state folder is never chmodded and one that others can write is refused; another host's
 * records (shared $HOME over NFS) are never reaped or removed. Real state folders, real processes.
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { start } from '../../src/index.js';
import { readRecords, currentBootId } from '../../src/ledger/ledger.js';
import { liveRuns } from '../../src/ledger/reap.js';
import { checkStateDir } from '../../src/ledger/state-dir.js';
import { silentLogger } from '../../src/run/log.js';
import { stopWhenDone, testMark, waitFor } from '../helpers/api.js';
import { freePort, isAlive, portIsFree, proc, type Proc } from '../helpers/os.js';
import { SERVICE } from '../helpers/spawn.js';

let base: string;
beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'cleanroom-ledger-'));
  process.env.CLEANROOM_STATE_DIR = join(base, 'state');
});
afterEach(() => {
  delete process.env.CLEANROOM_STATE_DIR;
  rmSync(base, { recursive: true, force: true });
});

/** An idle process in a group of its own, started by this test (killed by its group when the test ends). */
function idleProcess(): Proc {
  const child = spawn(process.execPath, ['-e', 'setInterval(()=>{},1000)'], { detached: true, stdio: 'ignore' });
  onTestFinished(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* gone */
    }
  });
  return proc(child.pid!);
}

/** A process that has exited: a dead runner (pid and start time seen while it lived). */
async function deadProcess(): Promise<Proc> {
  const child = spawn(process.execPath, ['-e', 'setTimeout(()=>{},200)'], { stdio: 'ignore' });
  const p = proc(child.pid!);
  await new Promise((r) => child.once('exit', r));
  return p;
}

function recordNaming(runId: string, runner: Proc, victim: Proc, extra: Record<string, unknown>): Record<string, unknown> {
  return {
    runId,
    runner: { ...runner, command: 'a runner' },
    cwd: base,
    startedAt: new Date().toISOString(),
    services: [{ name: 'api', pgid: victim.pid, leaderStartTime: victim.startTime, stopSignal: 'SIGTERM', stopTimeout: 500, pids: [victim] }],
    ...extra,
  };
}

/** Captures what cleanroom writes straight to stderr (the ledger's warnings), for the test's duration. */
function captureStderr(): () => string {
  const chunks: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    chunks.push(String(chunk));
    return (write as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stderr.write;
  onTestFinished(() => void (process.stderr.write = write));
  return () => chunks.join('');
}

async function startOne(mark: string) {
  const port = await freePort();
  const services = await start(
    { services: { web: { command: [process.execPath, SERVICE], port, env: { PORT: String(port), TEST_MARK: mark } } } },
    { logger: silentLogger },
  );
  return { services: stopWhenDone(services), port };
}

describe('7.2: a file of another shape in the state folder', () => {
  it('is skipped with one warning, start() still works, and a real stale run is still reaped', async () => {
    const dir = process.env.CLEANROOM_STATE_DIR!;
    mkdirSync(dir, { mode: 0o700 });
    writeFileSync(join(dir, 'other-tool.json'), JSON.stringify({ services: 5 }));
    writeFileSync(join(dir, 'a-list.json'), JSON.stringify([1, 2, 3]));
    writeFileSync(join(dir, 'bad-service.json'), JSON.stringify({ runId: 'x', runner: { pid: 5, startTime: 1, command: '' }, cwd: '/', startedAt: '', services: [{ name: 'a' }] }));
    const victim = idleProcess();
    const runner = await deadProcess();
    writeFileSync(join(dir, 'stale-run.json'), JSON.stringify(recordNaming('stale-run', runner, victim, { host: hostname(), bootId: currentBootId() })));
    const stderr = captureStderr();

    const { services, port } = await startOne(testMark());
    expect(services.info.web?.port).toBe(port);
    await waitFor('the stale run\'s process to be reaped', () => !isAlive(victim));
    readRecords(); // a second read warns no more
    const text = stderr();
    for (const f of ['other-tool.json', 'a-list.json', 'bad-service.json']) {
      expect(text.split(f).length - 1, `warnings about ${f}:\n${text}`).toBe(1);
    }
    expect(text).toMatch(/bad-service\.json in the state folder: services\[0\] is not/);
    // Skipped, not deleted: it is not ours to remove.
    expect(readdirSync(dir).sort()).toEqual(expect.arrayContaining(['a-list.json', 'bad-service.json', 'other-tool.json']));
    expect(readdirSync(dir)).not.toContain('stale-run.json');
    await services.stop();
    expect(await portIsFree(port)).toBe(true);
  });
});

describe('7.3: the state folder\'s mode', () => {
  it('is created 0700 when cleanroom creates it', async () => {
    const { services } = await startOne(testMark());
    expect(statSync(process.env.CLEANROOM_STATE_DIR!).mode & 0o777).toBe(0o700);
    expect(readdirSync(process.env.CLEANROOM_STATE_DIR!).filter((f) => f.endsWith('.json'))).toHaveLength(1);
    await services.stop();
  });

  it('an existing 0755 folder is used and its mode is left as it is', async () => {
    const dir = process.env.CLEANROOM_STATE_DIR!;
    mkdirSync(dir);
    chmodSync(dir, 0o755);
    const { services } = await startOne(testMark());
    expect(readdirSync(dir).filter((f) => f.endsWith('.json'))).toHaveLength(1);
    expect(statSync(dir).mode & 0o7777).toBe(0o755);
    await services.stop();
  });

  it('a folder others can write to (0777, or 1777 like /tmp) is refused with a clear message and never chmodded', async () => {
    const dir = process.env.CLEANROOM_STATE_DIR!;
    mkdirSync(dir);
    chmodSync(dir, 0o1777);
    const stderr = captureStderr();
    const { services } = await startOne(testMark());
    expect(statSync(dir).mode & 0o7777).toBe(0o1777);
    expect(readdirSync(dir), 'no record may be written into a folder others can write').toEqual([]);
    expect(stderr()).toMatch(new RegExp(`state folder ${dir} can be written by other users \\(mode 1777\\).*Set CLEANROOM_STATE_DIR to a folder only you can write`));
    await services.stop();

    const tmpMode = statSync('/tmp').mode & 0o7777;
    const c = checkStateDir('/tmp');
    expect(c.ok).toBe(false);
    expect(statSync('/tmp').mode & 0o7777).toBe(tmpMode);
  });
});

describe('7.4: records of another host (shared home folder)', () => {
  it('are never reaped, removed, or counted as live here, even with a dead runner and another boot id', async () => {
    const dir = process.env.CLEANROOM_STATE_DIR!;
    mkdirSync(dir, { mode: 0o700 });
    const victim = idleProcess(); // a pid that, on this host, is a live process of ours
    const runner = await deadProcess();
    const otherBoot = recordNaming('other-host-run', runner, victim, { host: `not-${hostname()}`, bootId: '11111111-2222-3333-4444-555555555555' });
    const sameBoot = recordNaming('other-host-same-boot', runner, victim, { host: `not-${hostname()}`, bootId: currentBootId() });
    // Its runner pid names a live process here (the victim): still not a live run of this host.
    const liveLooking = recordNaming('other-host-live-pid', victim, victim, { host: `not-${hostname()}`, bootId: currentBootId() });
    for (const r of [otherBoot, sameBoot, liveLooking]) writeFileSync(join(dir, `${String(r.runId)}.json`), JSON.stringify(r));

    const { services } = await startOne(testMark());
    await services.stop();
    expect(isAlive(victim), 'a process named by another host\'s record was signalled').toBe(true);
    for (const id of ['other-host-run', 'other-host-same-boot', 'other-host-live-pid']) expect(existsSync(join(dir, `${id}.json`)), id).toBe(true);
    expect(liveRuns().map((r) => r.runId)).toEqual([]);
  });

  it('this host\'s record of an earlier boot is dropped without signalling anything', async () => {
    const dir = process.env.CLEANROOM_STATE_DIR!;
    mkdirSync(dir, { mode: 0o700 });
    const victim = idleProcess();
    const rec = recordNaming('old-boot', victim, victim, { host: hostname(), bootId: '00000000-0000-0000-0000-000000000000' });
    writeFileSync(join(dir, 'old-boot.json'), JSON.stringify(rec));
    const { services } = await startOne(testMark());
    await services.stop();
    expect(existsSync(join(dir, 'old-boot.json'))).toBe(false);
    expect(isAlive(victim)).toBe(true);
  });
});
