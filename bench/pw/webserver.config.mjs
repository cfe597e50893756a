import { defineConfig } from '@playwright/test';
import { base, webServers } from './services.mjs';
// BENCH_SERVERS=api: only the first service (the readiness benchmark).
export default defineConfig({ ...base, globalSetup: './stamp-setup.mjs', webServer: process.env.BENCH_SERVERS === 'api' ? webServers[0] : webServers });
