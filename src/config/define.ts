import type { ConfigInput, ReadyInput, ServiceInput } from './schema.js';

/** The config a user writes: `export default defineConfig({ services: { ... } })`. */
export type CleanroomConfig = ConfigInput;
/** One service of the config. */
export type ServiceConfig = ServiceInput;
/** A service's readiness check. */
export type ReadyCheck = ReadyInput;

/**
 * Types a config for editors; returns it unchanged. Validation happens when it is used, so that
 * every problem is listed at once before anything starts.
 */
export function defineConfig(config: CleanroomConfig): CleanroomConfig {
  return config;
}
