// The benchmark suite: `npm run bench` (full) or `npm run bench -- --quick` (few repetitions, proves the
// suite works; CI runs it). `--only a,b` runs some sections. Prints a Markdown table and writes
// bench/results/latest.json (`--merge`: keep the other sections' rows already in it). Benchmarks are not timed tests: a missed target never fails the run.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { BENCH, installAsPackage, removeTmp } from './lib/env.mjs';
import { cleanup } from './lib/proc.mjs';
import { summarize } from './lib/stats.mjs';

const started = new Date();
const load0 = loadavg();
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.includes('--only') ? args[args.indexOf('--only') + 1].split(',') : undefined;
const SECTIONS = ['imports', 'readiness', 'setup', 'teardown', 'kill9', 'ports', 'scale'];

// A private ledger folder: on a shared machine another project's stale runs would otherwise be reaped
// (and waited for) by every cleanroom start the suite measures.
const stateDir = (process.env.CLEANROOM_STATE_DIR = mkdtempSync(join(tmpdir(), 'cleanroom-bench-state-')));

installAsPackage();

for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => (cleanup(), process.exit(130)));
process.on('exit', () => {
  cleanup();
  removeTmp();
  rmSync(stateDir, { recursive: true, force: true });
});

const file = join(BENCH, 'results', quick ? 'quick.json' : 'latest.json');
function save(extra) {
  mkdirSync(join(BENCH, 'results'), { recursive: true });
  const machine = { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version, platform: `${process.platform} ${process.arch}`, loadavgAtStart: load0, loadavgNow: loadavg() };
  const sections = { ...earlier?.sections, ...Object.fromEntries([...new Set(rows.map((r) => r.section))].map((n) => [n, started.toISOString()])) };
  writeFileSync(file, `${JSON.stringify({ date: started.toISOString(), quick, machine, sections, rows: mergedRows(), errors, ...extra }, null, 2)}\n`);
}
const ctx = { quick, rounds: (full, few) => (quick ? few : full), log: (m) => process.stderr.write(`  ${m}\n`) };
const merge = args.includes('--merge');
const earlier = merge && existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
const rows = [];
const errors = [];
const mergedRows = () => {
  if (!earlier) return rows;
  const ran = new Set(rows.map((r) => r.section));
  const kept = earlier.rows.filter((r) => !ran.has(r.section));
  return SECTIONS.flatMap((name) => [...kept, ...rows].filter((r) => r.section === name));
};
for (const name of SECTIONS) {
  if (only && !only.includes(name)) continue;
  process.stderr.write(`[bench] ${name}\n`);
  const t0 = performance.now();
  try {
    const section = (await import(`./sections/${name}.mjs`)).default;
    for (const row of await section(ctx)) rows.push({ section: name, ...row, ...summarize(row.samples) });
  } catch (err) {
    errors.push({ section: name, error: String(err?.stack ?? err) });
    process.stderr.write(`[bench] ${name} FAILED: ${err?.stack ?? err}\n`);
  } finally {
    cleanup();
  }
  process.stderr.write(`[bench] ${name} took ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  save({ partial: true });
}

const u = (r) => (r.unit === '×' ? '×' : ` ${r.unit ?? 'ms'}`);
const fmt = (x, unit) => (Number.isFinite(x) ? (unit === '×' ? x.toFixed(2) : x >= 100 ? x.toFixed(0) : x.toFixed(1)) : '–');
const verdict = (r) => {
  if (!r.target) return '';
  const ok = r.median <= r.target.max;
  r.met = ok;
  return `${r.target.text}: ${ok ? 'met' : 'not met'}`;
};
const lines = [
  `| benchmark | median | p90 | n | target |`,
  `| --- | ---: | ---: | ---: | --- |`,
  ...mergedRows().map((r) => `| ${r.label} | ${fmt(r.median, r.unit)}${u(r)} | ${fmt(r.p90, r.unit)}${u(r)} | ${r.n} | ${verdict(r)} |`),
];
const machine = {
  cpus: cpus().length,
  cpu: cpus()[0]?.model,
  node: process.version,
  platform: `${process.platform} ${process.arch}`,
  loadavgAtStart: load0,
  loadavgAtEnd: loadavg(),
};
console.log(`\n${quick ? '(--quick: few repetitions, numbers are only indicative)\n\n' : ''}${lines.join('\n')}\n`);
console.log(
  `machine: ${machine.cpus} cores (${machine.cpu}), Node ${machine.node}; load average ${load0.map((x) => x.toFixed(1)).join(' ')} at start, ${machine.loadavgAtEnd.map((x) => x.toFixed(1)).join(' ')} at end`,
);
if (errors.length) console.log(`\nsections that failed: ${errors.map((e) => e.section).join(', ')}`);

save({ table: lines.join('\n') });
console.log(`written: ${file}`);
// A section that crashed is a broken suite (exit 1); a missed target is not.
process.exitCode = errors.length ? 1 : 0;
