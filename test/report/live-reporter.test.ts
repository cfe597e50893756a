/**
 * The live reporter's timer and lifetime, in a real Node process drawing on a terminal-like stream:
 * the ticking never keeps the process alive, it stops on done() (nothing is drawn after it), and a
 * process that exits in mid start-up leaves a final state ("interrupted") rather than a spinner.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/spawn.js';

const LIVE = join(ROOT, 'dist/report/live.js');

/**
 * Runs `body` in a fresh node with `r`, a live reporter drawing on a fake terminal stream that logs
 * each write as one JSON line on stdout (`frames`), then prints "END <ms>" when the process exits.
 */
function runLive(body: string, timeoutMs = 20_000) {
  const script = `
    import { liveReporter } from ${JSON.stringify(LIVE)};
    import pc from 'picocolors';
    const t0 = performance.now();
    const write = process.stdout.write.bind(process.stdout);
    let count = 0;
    const term = { isTTY: true, columns: 100, rows: 30, write: (chunk) => { count++; write(JSON.stringify(String(chunk)) + '\\n'); return true; } };
    const r = liveReporter(term, pc.createColors(false), { tickMs: 20 });
    const sleep = (ms) => new Promise((res) => setTimeout(res, ms));
    /** Resolves once the block has been drawn (log-update is imported lazily). */
    const drawn = async () => { while (count === 0) await sleep(10); };
    ${body}
    // Registered last: runs after the reporter's own exit listener.
    process.on('exit', () => write('END ' + Math.round(performance.now() - t0) + '\\n'));
  `;
  const res = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: timeoutMs });
  expect(res.status, `exit status; stderr:\n${res.stderr}\nstdout:\n${res.stdout}`).toBe(0);
  const lines = res.stdout.trim().split('\n');
  const end = lines.pop()!;
  expect(end, res.stdout).toMatch(/^END \d+$/);
  const frames = lines.map((l) => JSON.parse(l) as string);
  return { frames, ms: Number(end.slice(4)), text: frames.join('') };
}

describe('the live reporter', () => {
  it('ticks while a service waits, and after done() draws nothing more; its last frame is the final state', () => {
    const { frames } = runLive(`
      r.waiting('api', 'TCP :1234');
      await drawn();
      await sleep(300);
      r.ready('api', 512, 'http://localhost:1234');
      r.waiting('web', 'GET http://localhost:5678/health');
      await sleep(200);
      r.done();
      write('"DONE"\\n');
      await sleep(300); // several ticks' worth: none may draw
    `);
    const done = frames.indexOf('DONE');
    expect(done, 'done marker').toBeGreaterThan(0);
    const ticks = frames.slice(0, done).filter((f) => /api +waiting \d+\.\d s/.test(f));
    expect(new Set(ticks.map((f) => /waiting (\d+\.\d) s/.exec(f)![1])).size, 'the elapsed time never changed').toBeGreaterThan(2);
    expect(frames.slice(done + 1), 'drawn after done()').toEqual([]);
    // log-update rewrites only the lines that changed: the last frame is web's final line.
    expect(frames.slice(0, done).join('')).toMatch(/cleanroom: ✔ api +ready on :1234 in 512 ms +http:\/\/localhost:1234/);
    expect(frames[done - 1]).toMatch(/cleanroom: - web +cancelled after \d+\.\d s +while waiting for GET http:\/\/localhost:5678\/health/);
  });

  it('the ticking timer never keeps the process alive; exiting in mid start-up leaves "interrupted", not a spinner', () => {
    // Nothing else keeps the event loop busy: the process must end by itself, soon.
    const { text, ms } = runLive(`
      r.waiting('api', 'TCP :1234');
      await drawn();
    `);
    expect(ms, 'the process stayed alive').toBeLessThan(10_000);
    expect(text).toMatch(/api +waiting \d+\.\d s/);
    expect(text).toMatch(/cleanroom: - api +interrupted after \d+\.\d s +while waiting for TCP :1234/);
  });

  it('a failed service: its line says failed and the first line of the reason; the timer stops', () => {
    const { frames } = runLive(`
      r.waiting('api', 'TCP :1234');
      await drawn();
      r.failed('api', 'exited with code 4 before it was ready\\n  more detail');
      write('"FAILED"\\n');
      await sleep(200);
      r.done();
    `);
    const failed = frames.indexOf('FAILED');
    expect(frames[failed - 1]).toMatch(/cleanroom: ✖ api +failed: exited with code 4 before it was ready$/m);
    expect(frames.slice(failed + 1).filter((f) => /waiting/.test(f)), 'ticked after the failure').toEqual([]);
  });

  it('text written to the terminal while the block is live goes above it, and the block is drawn again below', () => {
    const { frames } = runLive(`
      r.waiting('api', 'TCP :1234');
      await drawn();
      term.write('[api] listening\\n');
      await sleep(100);
      r.done();
    `);
    const i = frames.indexOf('[api] listening\n');
    expect(i, 'the outside text').toBeGreaterThan(0);
    // Before it: the block is erased (cursor up + erase line); after it: the block is drawn afresh.
    // eslint-disable-next-line no-control-regex
    expect(frames[i - 1]).toMatch(/\x1b\[2K/);
    // eslint-disable-next-line no-control-regex
    expect(frames[i + 1]).toMatch(/^(\x1b\[\?2026h)?cleanroom: \S api +waiting/);
  });
});
