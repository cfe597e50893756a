import { defineConfig } from 'vitest/config';
import { base } from './base.mjs';
// In a project: globalSetup: ['cleanroom-e2e/vitest'] (this repo is the package: point at the build).
export default defineConfig({ test: { ...base, globalSetup: ['../../dist/integrations/vitest.js'] } });
