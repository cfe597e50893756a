import { defineConfig } from 'vitest/config';
import { base } from './base.mjs';
// As in a project: the package as installed (bench/node_modules/cleanroom-e2e, laid out by run.mjs).
export default defineConfig({ test: { ...base, globalSetup: ['cleanroom-e2e/vitest'] } });
