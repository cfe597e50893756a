// A careful hand-written globalSetup, the baseline cleanroom must beat: both services spawned at once
// in their own process groups, readiness polled every 100 ms with a GET, teardown signals each group
// and waits until its leader has exited.
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

const fixtures = new URL('../fixtures/', import.meta.url).pathname;
const api = Number(process.env.BENCH_API_PORT);
const web = Number(process.env.BENCH_WEB_PORT);
const env = (port, name) => ({ ...process.env, PORT: String(port), NAME: name, BOOT_MS: '300', READY_FILE: process.env.BENCH_READY_FILE ?? '' });

async function ready(url) {
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not yet */
    }
    await sleep(100);
  }
}

export default async function setup() {
  const children = [
    spawn(process.execPath, [`${fixtures}boot-service.mjs`], { env: env(api, 'api'), detached: true, stdio: 'ignore' }),
    spawn('npm', ['run', 'dev'], { cwd: `${fixtures}web`, env: env(web, 'web'), detached: true, stdio: 'ignore' }),
  ];
  await Promise.all([ready(`http://127.0.0.1:${api}/`), ready(`http://127.0.0.1:${web}/`)]);
  return async () => {
    await Promise.all(
      children.map(
        (c) =>
          new Promise((resolve) => {
            c.once('exit', resolve);
            process.kill(-c.pid, 'SIGTERM');
          }),
      ),
    );
  };
}
