// A process of your own, under the run's guards: stopped with the services however the run ends
// (stop(), Ctrl+C, a crash, kill -9 of this script through the watchdog). Any supported Node.
import { spawn } from 'node:child_process';
import { loadConfig, start } from 'cleanroom-e2e';

const services = await start(await loadConfig());
const worker = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000) // a queue worker'], {
  detached: true, // its own process group: adopt() stops the group
  stdio: 'inherit',
  env: { ...process.env, ...services.env, ...services.tagEnv('worker') }, // the tags find its children too
});
services.adopt({ name: 'worker', pid: worker.pid, stopSignal: 'SIGTERM', stopTimeout: 2000 });
console.log(`worker ${worker.pid} runs against ${services.info.api.url}`);

await new Promise((resolve) => setTimeout(resolve, 500)); // ...your tests, against the services and the worker
await services.stop(); // the worker first (it may still be using the services), then the services
