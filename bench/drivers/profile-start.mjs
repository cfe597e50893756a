// Where start() spends its time before and around the first spawn: the same steps start() takes
// (src/run/start.ts), timed one by one in a fresh process, then one real start()/stop() of the same
// service. Usage: node bench/drivers/profile-start.mjs [rounds] → one JSON line per round.
import { setTimeout as sleep } from 'node:timers/promises';

const t = {};
const lap = async (name, fn) => {
  const a = performance.now();
  const r = await fn();
  t[name] = performance.now() - a;
  return r;
};
const imp = (p) => import(new URL(`../../dist/${p}`, import.meta.url).href);

const { resolveConfig } = await lap('import config/resolve (zod)', () => imp('config/resolve.js'));
const { start } = await lap('import the rest of cleanroom-e2e', () => imp('index.js'));
const { guardRun } = await imp('guards/process-guards.js');
const { watchdogEnsure, watchdogRelease } = await imp('guards/watchdog.js');
const { reapStaleRuns } = await imp('ledger/reap.js');
const { currentBootId } = await imp('ledger/ledger.js');
const { commandOf, processInfo } = await imp('os/process-table.js');
const { isPortFree } = await imp('ports/probe.js');
const { checkOwnership } = await imp('ready/ownership.js');
const { liveProcesses } = await imp('stop/service-tree.js');
const { createServer } = await import('node:net');

const port = 20000 + Math.floor(Math.random() * 12000);
const boot = new URL('../fixtures/boot-service.mjs', import.meta.url).pathname;
const config = { services: { api: { command: [process.execPath, boot], port, env: { PORT: String(port), BOOT_MS: '0' } } } };
const cfg = await lap('resolveConfig (zod parse)', () => resolveConfig(config));
const unguard = await lap('guardRun', () => guardRun({ signals: 'auto', trees: () => [], interrupted() {}, stoppedSync() {} }));
await lap('runner identity (stat, cmdline, boot id)', () => [processInfo(process.pid), commandOf(process.pid), currentBootId()]);
await lap('watchdogEnsure (spawn the sidecar)', () => watchdogEnsure());
await lap('reapStaleRuns (read the ledger)', () => reapStaleRuns(() => {}));
await lap('isPortFree (connect probes)', () => isPortFree(port));
unguard();
watchdogRelease();
// The ready-time work on a listening port of our own: ownership (who holds it) and the snapshot.
const srv = createServer();
await new Promise((r) => srv.listen(port, r));
const tree = { name: 'x', runId: 'profile', pgid: process.pid, leaderStartTime: Number.NaN, stopSignal: 'SIGTERM', stopTimeout: 1000 };
await lap('checkOwnership at ready (/proc/net/tcp + fds)', () => checkOwnership(port, { ...tree, pgid: processInfo(process.pid).pgid }));
await lap('liveProcesses (the ready snapshot: group + tagged scan)', () => liveProcesses(tree));
srv.close();
await sleep(20);
const a = performance.now();
const s = await start(cfg, { logger: { info() {}, warn() {}, error() {} } });
t['whole start() (boot-service, 0 ms boot, TCP)'] = performance.now() - a;
const b = performance.now();
await s.stop();
t['whole stop()'] = performance.now() - b;
console.log(JSON.stringify(t));
