// The runner that bench/kill9-latency.mjs SIGKILLs: two cooperative services (each with 2 children).
import { start } from '../dist/index.js';

const [apiPort, webPort] = process.argv.slice(2).map(Number);
const service = new URL('../test/fixtures/service.mjs', import.meta.url).pathname;
const svc = (port) => ({ command: [process.execPath, service], port, env: { PORT: String(port), CHILDREN: '2' } });
await start({ services: { api: svc(apiPort), web: svc(webPort) } }, { logger: { info() {}, warn() {}, error() {} } });
console.log('READY');
setInterval(() => {}, 1000);
