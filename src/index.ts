/**
 * cleanroom: start the services an e2e suite needs, wait until they are really ready, and leave
 * nothing running and no port bound when the run ends.
 *
 * @packageDocumentation
 */
export {
  defineConfig,
  type CleanroomConfig,
  type ServiceConfig,
  type ReadyCheck,
  type Register,
  type ServiceName,
  type RegisteredServicesInfo,
} from './config/define.js';
// Also loads the `inject('cleanroom')` typing into any program that imports cleanroom-e2e.
export type { InjectedServices } from './integrations/vitest-context.js';
export { loadConfig, findConfigFile, searchConfigFile } from './config/load.js';
export { resolveConfig, resolveConfigAsync, DEFAULTS, type ResolvedConfig, type ResolvedService, type ReadySpec } from './config/resolve.js';
export { start, type Services, type StartOptions, type StopSummary, type ServiceExit } from './run/start.js';
export { servicesEnv, type ServiceInfo, type ServicesInfo } from './run/service-env.js';
export { CleanroomError, ConfigError, InterruptedError, ServiceError } from './errors.js';
export type { StopResult } from './stop/stop-tree.js';
export type { Logger } from './run/log.js';
export { silentReporter, type StartupReporter } from './report/reporter.js';
export { createReporter, type ReporterOptions } from './report/create-reporter.js';
