// Time of `await import(x)` in a fresh node, interleaved over the targets (so load on a shared
// machine hits each alike): wall time and CPU time (user+sys, less swayed by other processes on a
// busy machine); median and min per target.
// Usage: node bench/import-cost.mjs [rounds=15] [target...]   (a target: a path, or a package name)
// Default targets: dist/integrations/vitest.js, dist/index.js, zod.
import { execFileSync } from 'node:child_process';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [rounds = '15', ...args] = process.argv.slice(2);
const root = new URL('..', import.meta.url).pathname;
const targets = args.length ? args : ['./dist/integrations/vitest.js', './dist/index.js', 'zod'];
const href = (t) => (t.startsWith('.') || isAbsolute(t) ? pathToFileURL(resolve(root, t)).href : t);
const times = new Map(targets.map((t) => [t, { wall: [], cpu: [] }]));
for (let i = 0; i < Number(rounds); i++) {
  for (const t of targets) {
    const code = `const t = performance.now(), c = process.cpuUsage(); await import(${JSON.stringify(href(t))});
      const u = process.cpuUsage(c); process.stdout.write(JSON.stringify([performance.now() - t, (u.user + u.system) / 1000]));`;
    const [wall, cpu] = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', code], { cwd: root, encoding: 'utf8' }));
    times.get(t).wall.push(wall);
    times.get(t).cpu.push(cpu);
  }
}
const stat = (ms) => {
  ms.sort((a, b) => a - b);
  return `median ${ms[Math.floor(ms.length / 2)].toFixed(1)} ms, min ${ms[0].toFixed(1)} ms`;
};
for (const [t, { wall, cpu }] of times) console.log(`${t}: wall ${stat(wall)}; cpu ${stat(cpu)} (${rounds} rounds)`);
