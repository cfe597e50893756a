import { defineConfig } from '@playwright/test';
import { base } from './services.mjs';
// In a project: globalSetup: 'cleanroom-e2e/playwright' (this repo is the package: point at the build).
export default defineConfig({ ...base, globalSetup: '../../dist/integrations/playwright.js' });
