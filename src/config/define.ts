import type { ServiceInfo } from '../run/service-env.js';
import type { ConfigInput, ReadyInput, ServiceInput } from './types.js';

/** The config a user writes: `export default defineConfig({ services: { ... } })`. `N`: the service names. */
export type CleanroomConfig<N extends string = string> = ConfigInput<N>;
/** One service of the config. */
export type ServiceConfig = ServiceInput;
/** A service's readiness check. */
export type ReadyCheck = ReadyInput;

/**
 * Types a config for editors, keeping the service names; returns it unchanged. Validation happens
 * when it is used, so that every problem is listed at once before anything starts.
 */
export function defineConfig<const N extends string>(config: CleanroomConfig<N>): CleanroomConfig<N> {
  return config;
}

/**
 * Tell cleanroom your config's type once, and `inject('cleanroom')` knows your service names. In
 * cleanroom.config.ts:
 *
 * ```ts
 * declare module 'cleanroom-e2e' { interface Register { config: typeof import('./cleanroom.config.js').default } }
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled in by the user's declaration merging
export interface Register {}

/** The service names of the registered config (`string` when none is registered). */
export type ServiceName = Register extends { config: { services: infer S } } ? keyof S & string : string;

/** `{ [name]: { url, port, pid } }`: keyed by the registered config's service names when there is one. */
export type RegisteredServicesInfo = { [K in ServiceName]: ServiceInfo };
