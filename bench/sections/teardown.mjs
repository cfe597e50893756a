// 3. Teardown: stop() → every process of the run gone (checked in /proc, zombies count as gone), for
// cooperative services, one that ignores SIGTERM (stopTimeout 500 ms), and a tree of 200 processes.
// Baseline: the same service spawned directly, its group sent SIGTERM, until its processes are gone.
import { BOOT, NODE } from '../lib/env.mjs';
import { forget, freePort, groupTree, readyStamps, signalGroup, spawnGroup, waitGone } from '../lib/proc.mjs';
import { now } from '../lib/stats.mjs';
import { svcEnv, tmpFile } from '../lib/env.mjs';
import { cleanroomStart } from './readiness.mjs';

const STOP_TIMEOUT = 500;
const cases = {
  cooperative: { services: 2, extra: { CHILDREN: '2' } },
  'ignores SIGTERM': { services: 1, extra: { IGNORE_SIGTERM: '1' } },
  '200 processes': { services: 1, extra: { CHILDREN: '199' } },
};

async function viaCleanroom(c) {
  const readyFile = tmpFile('ready');
  const services = {};
  for (let i = 0; i < c.services; i++) {
    const port = await freePort();
    services[`s${i}`] = { command: [NODE, BOOT], port, stopTimeout: STOP_TIMEOUT, env: svcEnv(port, `s${i}`, readyFile, { BOOT_MS: '0', ...c.extra }) };
  }
  const out = await cleanroomStart({ services });
  if (out.leftovers.length) throw new Error(`teardown left ${out.leftovers.length} processes: ${out.leftovers}`);
  return { ms: Math.max(out.tStopped, out.tGone) - out.tStop, processes: out.processes };
}

async function direct(c) {
  const readyFile = tmpFile('ready');
  const kids = [];
  for (let i = 0; i < c.services; i++) {
    const port = await freePort();
    kids.push(spawnGroup(NODE, [BOOT], { env: { ...process.env, ...svcEnv(port, `s${i}`, readyFile, { BOOT_MS: '0', ...c.extra }) }, stdio: 'ignore' }));
  }
  await readyStamps(readyFile, c.services);
  const tree = kids.flatMap((k) => groupTree(k.pid));
  const t0 = now();
  for (const k of kids) signalGroup(k.pid, 'SIGTERM');
  let gone = await waitGone(tree, c.extra.IGNORE_SIGTERM ? STOP_TIMEOUT : 10_000);
  if (Number.isNaN(gone)) {
    for (const k of kids) signalGroup(k.pid, 'SIGKILL'); // what a careful script does after its timeout
    gone = await waitGone(tree);
  }
  for (const k of kids) forget(k.pid);
  return gone - t0;
}

export default async function teardown({ rounds, log }) {
  const rows = [];
  for (const [name, c] of Object.entries(cases)) {
    const ours = [];
    const base = [];
    let processes = 0;
    for (let i = 0; i < rounds(9, 1); i++) {
      const r = await viaCleanroom(c);
      ours.push(r.ms);
      processes = r.processes;
      base.push(await direct(c));
    }
    log(`teardown ${name}: ${processes} processes; cleanroom ${ours.map(Math.round)}; direct ${base.map(Math.round)}`);
    const target =
      name === 'cooperative'
        ? undefined
        : name === 'ignores SIGTERM'
          ? { max: STOP_TIMEOUT + 50, text: `≤ stopTimeout (${STOP_TIMEOUT}) + 50 ms` }
          : { max: 1000, text: '≤ 1 s' };
    rows.push(
      { id: `teardown.${name}`, label: `teardown, ${name} (${processes} processes): stop() → all gone`, samples: ours, ...(target && { target }) },
      { id: `teardown.${name}.direct`, label: `teardown, ${name}: the group's own exit after SIGTERM${c.extra.IGNORE_SIGTERM ? ' (SIGKILL at stopTimeout)' : ''}`, samples: base },
      {
        id: `teardown.${name}.beyond`,
        label: `teardown, ${name}: cleanroom beyond the services' own exit (per round)`,
        samples: ours.map((x, i) => x - base[i]),
        ...(name === 'cooperative' && { target: { max: 50, text: '≤ 50 ms' } }),
      },
    );
  }
  return rows;
}
