/**
 * Types `inject('cleanroom')` in Vitest. Referenced from the package's main types (index.d.ts), so
 * the key typechecks wherever `cleanroom-e2e` is imported at all (e.g. by cleanroom.config.ts) —
 * no `/// <reference>` needed — and with the service names once the config is registered (Register).
 */
import type {} from 'vitest';
import type { RegisteredServicesInfo } from '../config/define.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The services cleanroom started: `inject('cleanroom').backend.url`. */
    cleanroom: RegisteredServicesInfo;
  }
}

/** What `inject('cleanroom')` returns. */
export type InjectedServices = RegisteredServicesInfo;
