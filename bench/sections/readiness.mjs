// 1. Readiness detection: from the moment the service listens (it records the moment) to the moment the
// tool's setup resolves. One service, 300 ms boot, HTTP readiness; the four tools interleaved.
import { readFileSync } from 'node:fs';
import waitOn from 'wait-on';
import { BIN, BOOT, NODE, ROOT, lastNumber, nsToMs, rotate, svcEnv, tmpFile } from '../lib/env.mjs';
import { freePort, groupTree, readyStamps, run, signalGroup, spawnGroup, waitGone, forget } from '../lib/proc.mjs';
import { now } from '../lib/stats.mjs';

export async function cleanroomStart(config) {
  const r = await run(NODE, [new URL('../drivers/start-stop.mjs', import.meta.url).pathname], {
    cwd: ROOT,
    env: { ...process.env, BENCH_CONFIG: JSON.stringify(config) },
  });
  const line = r.stdout.trim().split('\n').at(-1);
  if (r.code !== 0 || !line?.startsWith('{')) throw new Error(`cleanroom driver failed (code ${r.code}): ${r.stderr.slice(-2000)}`);
  return { ...JSON.parse(line), t0: r.t0, t1: r.t1 };
}

const tools = {
  async cleanroom(port, readyFile) {
    const answerFile = tmpFile('answer');
    const out = await cleanroomStart({
      services: { api: { command: [NODE, BOOT], port, ready: `http://127.0.0.1:${port}/`, env: svcEnv(port, 'api', readyFile, { ANSWER_FILE: answerFile }) } },
    });
    const [s] = await readyStamps(readyFile);
    const [a] = await readyStamps(answerFile);
    return { detect: out.tResolved - s.ready, firstAnswer: a.answered - s.ready, afterAnswer: out.tResolved - a.answered, preSpawn: s.origin - out.tCall, import: out.tImported - out.tImport };
  },
  async playwright(port, readyFile) {
    const stampFile = tmpFile('pw-stamp');
    const r = await run(BIN('playwright'), ['test', '-c', 'bench/pw/webserver.config.mjs'], {
      cwd: ROOT,
      env: { ...process.env, BENCH_SERVERS: 'api', BENCH_API_PORT: String(port), BENCH_READY_FILE: readyFile, BENCH_STAMP_FILE: stampFile },
    });
    if (r.code !== 0) throw new Error(`playwright failed: ${r.stdout.slice(-1500)}${r.stderr.slice(-1500)}`);
    const [s] = await readyStamps(readyFile);
    return { detect: lastNumber(stampFile) - s.ready };
  },
  async 'start-server-and-test'(port, readyFile) {
    const stampFile = tmpFile('ssat-stamp');
    const env = Object.entries(svcEnv(port, 'api', readyFile)).map(([k, v]) => `${k}=${v}`).join(' ');
    const r = await run(BIN('start-server-and-test'), [`${env} node ${BOOT}`, `http://127.0.0.1:${port}`, `date +%s%N > ${stampFile}`], { cwd: ROOT });
    if (r.code !== 0) throw new Error(`start-server-and-test failed: ${r.stderr.slice(-1500)}`);
    const [s] = await readyStamps(readyFile);
    return { detect: nsToMs(readFileSync(stampFile, 'utf8')) - s.ready };
  },
  async 'wait-on'(port, readyFile) {
    const t0 = now();
    const child = spawnGroup(NODE, [BOOT], { env: { ...process.env, ...svcEnv(port, 'api', readyFile) }, stdio: 'ignore' });
    await waitOn({ resources: [`http://127.0.0.1:${port}/`] }); // its defaults (250 ms interval, HEAD)
    const t = now();
    const [s] = await readyStamps(readyFile);
    const tree = groupTree(child.pid);
    signalGroup(child.pid, 'SIGTERM');
    await waitGone(tree);
    forget(child.pid);
    return { detect: t - s.ready, spawnToOrigin: s.origin - t0 };
  },
};

export default async function readiness({ rounds, log }) {
  const names = Object.keys(tools);
  const samples = Object.fromEntries(names.map((n) => [n, []]));
  const preSpawn = [];
  const imports = [];
  const firstAnswer = [];
  const afterAnswer = [];
  const spawnBase = [];
  for (let i = 0; i < rounds(9, 1); i++) {
    for (const name of rotate(names, i)) {
      const r = await tools[name](await freePort(), tmpFile('ready'));
      samples[name].push(r.detect);
      if (r.preSpawn !== undefined) preSpawn.push(r.preSpawn);
      if (r.firstAnswer !== undefined) firstAnswer.push(r.firstAnswer);
      if (r.afterAnswer !== undefined) afterAnswer.push(r.afterAnswer);
      if (r.import !== undefined) imports.push(r.import);
      if (r.spawnToOrigin !== undefined) spawnBase.push(r.spawnToOrigin);
    }
    log(`readiness round ${i + 1}: ${names.map((n) => `${n} ${samples[n].at(-1).toFixed(1)}`).join(', ')}`);
  }
  return [
    ...names.map((n) => ({
      id: `readiness.${n}`,
      label: `readiness detection: ${n}${n === 'cleanroom' ? '' : ' (defaults)'}`,
      samples: samples[n],
      ...(n === 'cleanroom' && { target: { max: 15, text: '≤ 15 ms' } }),
    })),
    { id: 'readiness.firstAnswer', label: "readiness: the service's own first answer after it listens (no check can see it sooner)", samples: firstAnswer },
    { id: 'readiness.afterAnswer', label: "readiness detection: cleanroom, from the service's first answer to setup resolved", samples: afterAnswer },
    { id: 'startup.preSpawn', label: 'cleanroom start() call → first service process running', samples: preSpawn },
    { id: 'startup.spawnBaseline', label: 'baseline: spawn() → the same process running, spawned directly', samples: spawnBase },
    { id: 'startup.import', label: "cleanroom: import 'cleanroom-e2e' inside the runner", samples: imports },
  ];
}
