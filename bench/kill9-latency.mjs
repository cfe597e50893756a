// How fast does the watchdog clean up after `kill -9` of the runner? For each run: start a runner with
// two cooperative services (6 processes), SIGKILL it, and time until no process of the run is alive
// (checked in /proc every millisecond; zombies count as gone). Usage: node bench/kill9-latency.mjs [runs]
// Also section 4 of the suite (bench/run.mjs imports killNineLatency).
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

const runner = new URL('./kill9-runner.mjs', import.meta.url).pathname;

function tagged(runnerPid) {
  const out = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (!readFileSync(`/proc/${name}/environ`, 'latin1').includes(`CLEANROOM_RUNNER=${runnerPid}:`)) continue;
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z') out.push(Number(name));
    } catch {
      /* gone */
    }
  }
  return out;
}

/** One sample per run: ms from SIGKILL of the runner until no process of its services is alive. */
export async function killNineLatency(runs, freePort) {
const times = [];
for (let i = 0; i < runs; i++) {
  const ports = freePort ? [await freePort(), await freePort()] : [21000 + 2 * i, 21001 + 2 * i];
  const child = spawn(process.execPath, [runner, ...ports.map(String)], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
  await new Promise((resolve) => child.stdout.on('data', (d) => String(d).includes('READY') && resolve()));
  const before = tagged(child.pid).length;
  const t0 = performance.now();
  process.kill(child.pid, 'SIGKILL');
  while (tagged(child.pid).length > 0 && performance.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 1));
  times.push(performance.now() - t0);
  if (i === 0) process.stderr.write(`  kill9: processes per run: ${before}\n`);
}
return times;
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
const RUNS = Number(process.argv[2] ?? 20);
const times = await killNineLatency(RUNS);
times.sort((a, b) => a - b);
const q = (p) => times[Math.min(times.length - 1, Math.floor(p * times.length))].toFixed(1);
console.log(`kill -9 of the runner → every service process gone: median ${q(0.5)} ms, p90 ${q(0.9)} ms, max ${q(1)} ms (${RUNS} runs)`);
}
