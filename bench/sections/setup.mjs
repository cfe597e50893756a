// 2. Whole setup and wall time, two services with a 300 ms boot (api: node; web: `npm run dev`).
//   a. `cleanroom run` vs start-server-and-test (sequential) vs the services spawned directly in parallel
//   b. a trivial Playwright suite: webServer vs cleanroom globalSetup vs the services already running
//   c. the same with Vitest: cleanroom globalSetup vs a careful hand-written one vs already running
// Every comparison is interleaved round by round (Playwright's webServer backoff makes it bimodal).
import { readFileSync } from 'node:fs';
import { BIN, BOOT, CLI, NODE, ROOT, WEB_DIR, nsToMs, rotate, svcEnv, tmpFile } from '../lib/env.mjs';
import { forget, freePort, groupTree, readyStamps, run, signalGroup, spawnGroup, waitGone } from '../lib/proc.mjs';
import { now } from '../lib/stats.mjs';

const CONFIG = 'bench/cleanroom.bench.config.mjs';

async function ports() {
  const api = await freePort();
  let web;
  while ((web = await freePort()) === api);
  return { api, web, readyFile: tmpFile('ready') };
}
const benchEnv = (p, extra = {}) => ({ ...process.env, BENCH_API_PORT: String(p.api), BENCH_WEB_PORT: String(p.web), BENCH_READY_FILE: p.readyFile, ...extra });

/** Both services spawned directly, at once; resolves when both listen. Returns stop(). */
async function startDirect(p) {
  const t0 = now();
  const kids = [
    spawnGroup(NODE, [BOOT], { env: { ...process.env, ...svcEnv(p.api, 'api', p.readyFile) }, stdio: 'ignore' }),
    spawnGroup('npm', ['run', 'dev'], { cwd: WEB_DIR, env: { ...process.env, ...svcEnv(p.web, 'web', p.readyFile) }, stdio: 'ignore' }),
  ];
  const stamps = await readyStamps(p.readyFile, 2);
  if (stamps.length < 2) throw new Error('direct start: the services did not get ready');
  return {
    setup: Math.max(...stamps.map((s) => s.ready)) - t0,
    async stop() {
      const trees = kids.flatMap((k) => groupTree(k.pid));
      for (const k of kids) signalGroup(k.pid, 'SIGTERM');
      await waitGone(trees);
      for (const k of kids) forget(k.pid);
    },
  };
}

const ok = (r, what) => {
  if (r.code !== 0) throw new Error(`${what} exited ${r.code}: ${r.stdout.slice(-1500)}\n${r.stderr.slice(-1500)}`);
  return r;
};

const cli = {
  async cleanroom(p) {
    const stamp = tmpFile('stamp');
    const r = ok(await run(NODE, [CLI, 'run', '-c', CONFIG, '--', 'sh', '-c', `date +%s%N > ${stamp}`], { cwd: ROOT, env: benchEnv(p) }), 'cleanroom run');
    return { setup: nsToMs(readFileSync(stamp, 'utf8')) - r.t0, wall: r.ms };
  },
  async 'start-server-and-test'(p) {
    const stamp = tmpFile('stamp');
    const env = (port, name) => Object.entries(svcEnv(port, name, p.readyFile)).map(([k, v]) => `${k}=${v}`).join(' ');
    const r = ok(
      await run(
        BIN('start-server-and-test'),
        [`${env(p.api, 'api')} node ${BOOT}`, `http://127.0.0.1:${p.api}`, `cd ${WEB_DIR} && ${env(p.web, 'web')} npm run dev`, `http://127.0.0.1:${p.web}`, `date +%s%N > ${stamp}`],
        { cwd: ROOT },
      ),
      'start-server-and-test',
    );
    return { setup: nsToMs(readFileSync(stamp, 'utf8')) - r.t0, wall: r.ms };
  },
  async direct(p) {
    const d = await startDirect(p);
    await d.stop();
    return { setup: d.setup };
  },
};

function suites(runner) {
  const bin = BIN(runner);
  const args = (cfg) => (runner === 'playwright' ? ['test', '-c', `bench/pw/${cfg}.config.mjs`] : ['run', '-c', `bench/vitest/${cfg}.config.mjs`]);
  const once = (cfg) => async (p) => ok(await run(bin, args(cfg), { cwd: ROOT, env: benchEnv(p, { CLEANROOM_CONFIG: CONFIG }) }), `${runner} ${cfg}`).ms;
  const floor = async (p) => {
    const d = await startDirect(p);
    try {
      return ok(await run(bin, args('floor'), { cwd: ROOT, env: benchEnv(p) }), `${runner} floor`).ms;
    } finally {
      await d.stop();
    }
  };
  return runner === 'playwright'
    ? { cleanroom: once('cleanroom'), webServer: once('webserver'), floor }
    : { cleanroom: once('cleanroom'), 'hand-written': once('hand'), floor };
}

async function interleave(tools, n, log, what) {
  const names = Object.keys(tools);
  const out = Object.fromEntries(names.map((k) => [k, []]));
  for (let i = 0; i < n; i++) {
    for (const name of rotate(names, i)) out[name].push(await tools[name](await ports()));
    log(`${what} round ${i + 1}: ${names.map((k) => `${k} ${JSON.stringify(out[k].at(-1), (_, v) => (typeof v === 'number' ? Math.round(v) : v))}`).join(', ')}`);
  }
  return out;
}

export default async function setup({ rounds, log }) {
  const rows = [];
  const c = await interleave(cli, rounds(9, 1), log, 'cli');
  const setupOf = (k) => c[k].map((x) => x.setup);
  rows.push(
    { id: 'setup.cli.cleanroom', label: 'two services: `cleanroom run` launch → command starts', samples: setupOf('cleanroom') },
    { id: 'setup.cli.ssat', label: 'two services: start-server-and-test launch → command starts', samples: setupOf('start-server-and-test') },
    { id: 'setup.direct', label: 'two services spawned directly in parallel → both listen (their own boot)', samples: setupOf('direct') },
    {
      id: 'setup.cleanroomShare',
      label: "cleanroom's own share above the services' boot (`cleanroom run` setup − direct)",
      samples: setupOf('cleanroom').map((x, i) => x - setupOf('direct')[i]),
      target: { max: 100, text: '≤ 100 ms' },
    },
    { id: 'wall.cli.cleanroom', label: 'two services: `cleanroom run -- true`-like wall', samples: c.cleanroom.map((x) => x.wall) },
    { id: 'wall.cli.ssat', label: 'two services: start-server-and-test wall', samples: c['start-server-and-test'].map((x) => x.wall) },
  );

  const pw = await interleave(suites('playwright'), rounds(9, 1), log, 'playwright');
  rows.push(
    { id: 'wall.pw.webServer', label: 'Playwright suite wall: webServer', samples: pw.webServer },
    { id: 'wall.pw.cleanroom', label: 'Playwright suite wall: cleanroom globalSetup', samples: pw.cleanroom },
    { id: 'wall.pw.floor', label: 'Playwright suite wall: services already running (floor)', samples: pw.floor },
    { id: 'ratio.pw.cleanroom', label: 'Playwright: cleanroom / webServer (per round)', unit: '×', samples: pw.cleanroom.map((x, i) => x / pw.webServer[i]), target: { max: 0.78, text: '≤ 0.78×' } },
    { id: 'ratio.pw.floor', label: 'Playwright: floor / webServer (physical limit)', unit: '×', samples: pw.floor.map((x, i) => x / pw.webServer[i]) },
  );

  const vt = await interleave(suites('vitest'), rounds(9, 1), log, 'vitest');
  rows.push(
    { id: 'wall.vitest.hand', label: 'Vitest suite wall: careful hand-written globalSetup', samples: vt['hand-written'] },
    { id: 'wall.vitest.cleanroom', label: 'Vitest suite wall: cleanroom globalSetup', samples: vt.cleanroom },
    { id: 'wall.vitest.floor', label: 'Vitest suite wall: services already running (floor)', samples: vt.floor },
    { id: 'ratio.vitest.cleanroom', label: 'Vitest: cleanroom / hand-written (per round)', unit: '×', samples: vt.cleanroom.map((x, i) => x / vt['hand-written'][i]), target: { max: 0.95, text: '≤ 0.95×' } },
  );
  return rows;
}
