// The two-service fixture as a cleanroom config, for `cleanroom run`, Playwright and Vitest benches:
// api (node, 300 ms boot) and web (`npm run dev` → sh → node, 300 ms boot), started in parallel.
// Ports and the ready-stamp file come from the bench (BENCH_API_PORT, BENCH_WEB_PORT, BENCH_READY_FILE).
const here = new URL('.', import.meta.url).pathname;
const api = Number(process.env.BENCH_API_PORT);
const web = Number(process.env.BENCH_WEB_PORT);
const common = { BOOT_MS: '300', READY_FILE: process.env.BENCH_READY_FILE ?? '' };

export default {
  services: {
    api: {
      command: [process.execPath, `${here}fixtures/boot-service.mjs`],
      port: api,
      ready: `http://127.0.0.1:${api}/`,
      env: { ...common, PORT: String(api), NAME: 'api' },
    },
    web: {
      command: 'npm run dev',
      cwd: `${here}fixtures/web`,
      port: web,
      ready: `http://127.0.0.1:${web}/`,
      env: { ...common, PORT: String(web), NAME: 'web' },
    },
  },
};
