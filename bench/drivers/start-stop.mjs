// A fresh runner process: imports cleanroom, start()s the config in BENCH_CONFIG (JSON), then stop()s
// it and checks with /proc that every process of the run is gone. Prints one JSON line of moments
// (all on the shared wall clock, see lib/stats.mjs).
import { now } from '../lib/stats.mjs';
import { waitGone, withEnv } from '../lib/proc.mjs';

const tImport = now();
const { start } = await import('../../dist/index.js');
const tImported = now();
const config = JSON.parse(process.env.BENCH_CONFIG);
const quiet = { info() {}, warn() {}, error() {} };
const tCall = now();
const services = await start(config, { logger: quiet });
const tResolved = now();
const pids = withEnv('CLEANROOM_RUN_ID', services.runId);
const tStop = now();
const summary = await services.stop();
const tStopped = now();
const tGone = await waitGone(pids);
const leftovers = withEnv('CLEANROOM_RUN_ID', services.runId);
console.log(
  JSON.stringify({ tImport, tImported, tCall, tResolved, tStop, tStopped, tGone, processes: pids.length, leftovers, stopped: summary.processes }),
);
