// 7. Scale: 20 independent services (300 ms boot each) started together, and a chain of 5 with
// dependsOn. "Own boot" = from the service process's own start to its listen (it records both).
import { BOOT, NODE, svcEnv, tmpFile } from '../lib/env.mjs';
import { forget, freePort, groupTree, readyStamps, signalGroup, spawnGroup, waitGone } from '../lib/proc.mjs';
import { now } from '../lib/stats.mjs';
import { cleanroomStart } from './readiness.mjs';

async function config(n, chain) {
  const readyFile = tmpFile('ready');
  const services = {};
  for (let i = 0; i < n; i++) {
    const port = await freePort();
    services[`s${i}`] = { command: [NODE, BOOT], port, env: svcEnv(port, `s${i}`, readyFile), ...(chain && i > 0 && { dependsOn: [`s${i - 1}`] }) };
  }
  return { readyFile, config: { services } };
}

/**
 * The baseline: the same 20 services spawned directly, one after another as any single-threaded
 * spawner must (spawn() returns once the child has exec'd), from the first spawn to the last listen.
 * On 2 cores the 20 boots slow each other and the later spawns, which their "own boot" leaves out.
 */
async function direct(w) {
  const t0 = now();
  const kids = Object.values(w.config.services).map((s) => spawnGroup(s.command[0], s.command.slice(1), { env: { ...process.env, ...s.env }, stdio: 'ignore' }));
  const stamps = await readyStamps(w.readyFile, kids.length);
  if (stamps.length < kids.length) throw new Error('direct start: not every service got ready');
  const ms = Math.max(...stamps.map((s) => s.ready)) - t0;
  const trees = kids.flatMap((k) => groupTree(k.pid));
  for (const k of kids) signalGroup(k.pid, 'SIGTERM');
  await waitGone(trees);
  for (const k of kids) forget(k.pid);
  return ms;
}

export default async function scale({ rounds }) {
  const wide = { total: [], slowest: [], over: [], direct: [], overDirect: [] };
  const chain = { total: [], sum: [], over: [] };
  for (let i = 0; i < rounds(5, 1); i++) {
    const w = await config(20, false);
    const out = await cleanroomStart(w.config);
    const stamps = await readyStamps(w.readyFile, 20);
    const slowest = Math.max(...stamps.map((s) => s.ready - s.origin));
    wide.total.push(out.tResolved - out.tCall);
    wide.slowest.push(slowest);
    wide.over.push(out.tResolved - out.tCall - slowest);
    const d = await direct(await config(20, false));
    wide.direct.push(d);
    wide.overDirect.push(out.tResolved - out.tCall - d);

    const c = await config(5, true);
    const o2 = await cleanroomStart(c.config);
    const s2 = await readyStamps(c.readyFile, 5);
    const sum = s2.reduce((n, s) => n + (s.ready - s.origin), 0);
    chain.total.push(o2.tResolved - o2.tCall);
    chain.sum.push(sum);
    chain.over.push((o2.tResolved - o2.tCall - sum) / 5);
  }
  return [
    { id: 'scale.20.total', label: '20 independent services: start() → all ready', samples: wide.total },
    { id: 'scale.20.slowest', label: "20 independent services: the slowest one's own boot", samples: wide.slowest },
    { id: 'scale.20.over', label: "20 independent services: start() beyond the slowest one's own boot", samples: wide.over, target: { max: 100, text: '≤ 100 ms' } },
    { id: 'scale.20.direct', label: '20 services spawned directly, one after another → all listen (first spawn → last listen)', samples: wide.direct },
    { id: 'scale.20.overDirect', label: '20 independent services: start() beyond spawning them directly (per round)', samples: wide.overDirect },
    { id: 'scale.chain.total', label: 'chain of 5 (dependsOn): start() → all ready', samples: chain.total },
    { id: 'scale.chain.sum', label: 'chain of 5: the sum of their own boots', samples: chain.sum },
    { id: 'scale.chain.over', label: 'chain of 5: cleanroom per link (total − sum) / 5', samples: chain.over },
  ];
}
