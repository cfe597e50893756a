/**
 * The environment a spawned command gets: the runner's (without what a test runner injected:
 * runner-env.ts), then the service's, with every node_modules/.bin from its cwd upwards and the
 * running node's folder first on PATH — what execa's `preferLocal` did, through the same package
 * (npm-run-path) execa uses for it.
 */
import { npmRunPathEnv } from 'npm-run-path';
import { inheritedEnv } from './runner-env.js';

export function localEnv(cwd: string, env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  return npmRunPathEnv({ cwd, env: { ...inheritedEnv(), ...env } });
}
