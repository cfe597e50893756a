import { envNameOf } from '../config/env-name.js';

/** What tests get for each service. */
export interface ServiceInfo {
  /** Base URL, e.g. `http://localhost:8000` (empty when the service has no port or URL). */
  url: string;
  /** The port, when the service has one. */
  port?: number;
  /** Pid of the service's process-group leader (or of the reused holder with portInUse: 'reuse'). */
  pid: number;
}

/** `{ [name]: ServiceInfo }`, as handed to tests. */
export type ServicesInfo = Record<string, ServiceInfo>;

/** CLEANROOM_<NAME>_URL and CLEANROOM_<NAME>_PORT for every service. */
export function servicesEnv(info: ServicesInfo): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, s] of Object.entries(info)) {
    const key = envNameOf(name);
    if (s.url) env[`CLEANROOM_${key}_URL`] = s.url;
    if (s.port !== undefined) env[`CLEANROOM_${key}_PORT`] = String(s.port);
  }
  return env;
}
