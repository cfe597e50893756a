import { defineConfig } from 'vitest/config';
import { base } from './base.mjs';
export default defineConfig({ test: { ...base, globalSetup: ['./hand-setup.mjs'] } });
