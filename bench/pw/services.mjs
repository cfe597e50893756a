// What the Playwright configs share: the trivial suite and the two services as `webServer` entries
// (driven the way Playwright's docs say: a command and a URL, reuseExistingServer off).
const fixtures = new URL('../fixtures/', import.meta.url).pathname;
export const api = Number(process.env.BENCH_API_PORT);
export const web = Number(process.env.BENCH_WEB_PORT);
const env = (port, name) => ({ PORT: String(port), NAME: name, BOOT_MS: '300', READY_FILE: process.env.BENCH_READY_FILE ?? '' });

export const webServers = [
  { command: `node ${fixtures}boot-service.mjs`, url: `http://127.0.0.1:${api}/`, reuseExistingServer: false, env: env(api, 'api') },
  { command: 'npm run dev', cwd: `${fixtures}web`, url: `http://127.0.0.1:${web}/`, reuseExistingServer: false, env: env(web, 'web') },
];
export const base = { testDir: './tests', reporter: 'dot', workers: 1, retries: 0 };
