import { defineConfig } from '@playwright/test';
import { base } from './services.mjs';
// As in a project: the package as installed (bench/node_modules/cleanroom-e2e, laid out by run.mjs).
export default defineConfig({ ...base, globalSetup: 'cleanroom-e2e/playwright' });
