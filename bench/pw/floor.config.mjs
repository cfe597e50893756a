import { defineConfig } from '@playwright/test';
import { base } from './services.mjs';
// The services are already running (started by the bench, untimed): the physical limit.
export default defineConfig(base);
