import { defineConfig } from 'vitest/config';
import { base } from './base.mjs';
// The services are already running (started by the bench, untimed).
export default defineConfig({ test: base });
