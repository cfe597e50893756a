// 6. Cost in the runner: each entry point imported in a fresh node (time and RSS added), the CLI's
// `--version`, and each dependency alone (which of them is worth making lazy).
import { CLI, NODE, ROOT } from '../lib/env.mjs';
import { run } from '../lib/proc.mjs';

const DRIVER = new URL('../drivers/import.mjs', import.meta.url).pathname;
const ENTRIES = ['cleanroom-e2e', 'cleanroom-e2e/vitest', 'cleanroom-e2e/playwright'];
const DEPS = ['zod', 'jiti', 'commander', 'pid-port', 'npm-run-path', 'picocolors'];

async function importOnce(spec) {
  const r = await run(NODE, [DRIVER, spec], { cwd: ROOT });
  if (r.code !== 0) throw new Error(`import ${spec} failed: ${r.stderr.slice(-1000)}`);
  return { ...JSON.parse(r.stdout.trim()), wall: r.ms };
}

export default async function imports({ rounds }) {
  const specs = [...ENTRIES, ...DEPS, 'none'];
  const res = Object.fromEntries(specs.map((s) => [s, []]));
  const version = [];
  const bare = [];
  for (let i = 0; i < rounds(15, 1); i++) {
    for (const s of specs) res[s].push(await importOnce(s));
    version.push((await run(NODE, [CLI, '--version'], { cwd: ROOT })).ms);
    bare.push((await run(NODE, ['-e', '0'], { cwd: ROOT })).ms);
  }
  const rows = [];
  for (const s of ENTRIES) {
    rows.push({
      id: `import.${s}`,
      label: `import '${s}' in a fresh node`,
      samples: res[s].map((x) => x.ms),
      ...(s === 'cleanroom-e2e/vitest' && { target: { max: 100, text: '≤ 100 ms' } }),
    });
    rows.push({ id: `rss.${s}`, label: `RSS added by '${s}'`, unit: 'KB', samples: res[s].map((x) => x.rssKb) });
    rows.push({ id: `wall.import.${s}`, label: `fresh node that imports '${s}': wall`, samples: res[s].map((x) => x.wall) });
  }
  rows.push({ id: 'wall.node', label: 'fresh `node -e 0`: wall', samples: bare });
  rows.push({ id: 'wall.cli.version', label: '`cleanroom --version`: wall', samples: version });
  for (const s of DEPS) rows.push({ id: `import.dep.${s}`, label: `dependency alone: import '${s}'`, samples: res[s].map((x) => x.ms) });
  return rows;
}
