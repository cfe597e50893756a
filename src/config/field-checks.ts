/**
 * The checks of `command` and `ready`, written by hand rather than as zod unions: a union's error
 * cannot tell "which form did you mean?", and these messages must (an unknown key in the `url`
 * form, a ready URL without http://). Each reports through `add(path, message)`, path relative to
 * the field.
 */
import { describeValue, didYouMean } from './did-you-mean.js';
import { READY_FORMS, READY_FORMS_TEXT } from './types.js';

export type AddProblem = (path: Array<string | number>, message: string) => void;

export function checkCommand(v: unknown, add: AddProblem): void {
  if (v === undefined) {
    add([], "is required: the command that starts the service, e.g. 'npm run dev' or ['node', 'server.js']");
  } else if (typeof v === 'string') {
    if (!v.trim()) add([], 'must not be empty');
  } else if (Array.isArray(v)) {
    if (v.length === 0) add([], 'must not be empty');
    // Array.from: every() skips the holes of a sparse array ([, 'x']), which are not strings either.
    else if (!Array.from(v).every((a) => typeof a === 'string')) add([], 'must be an array of strings [program, ...args]');
    else if (!(v[0] as string).trim()) add([], 'must start with a program name');
  } else {
    add([], `must be a string (run by a shell) or an array [program, ...args] (got ${describeValue(v)})`);
  }
}

/**
 * Why `url` is not a ready URL, or undefined if it is one (http: or https:, with a host). A path
 * ('/health', resolved against the service's port) and a `{port}` placeholder (filled in once
 * port: 'auto' has picked one) are ready URLs too; cross-checks.ts checks that they have a port.
 */
export function readyUrlProblem(url: string): string | undefined {
  if (url.startsWith('/')) return undefined;
  if (url.includes('{port}')) return readyUrlProblem(url.replaceAll('{port}', '1'));
  // "localhost:4101/health" parses as a URL whose scheme is "localhost:": catch it before new URL().
  if (/^[\w.-]+:\d+(\/|$)/.test(url) || /^\d+\.\d+\.\d+\.\d+(:\d+)?(\/|$)/.test(url)) {
    return `must start with http:// or https://; did you mean "http://${url}"?`;
  }
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return `must be a URL such as http://localhost:8000/health (got ${describeValue(url)})`;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    return `must be an http:// or https:// URL (got ${describeValue(url)})`;
  }
  if (!u.hostname) return `must name a host, e.g. http://localhost:8000/health (got ${describeValue(url)})`;
  return undefined;
}

function checkUrl(v: unknown, add: AddProblem, path: Array<string | number>): void {
  if (typeof v !== 'string') {
    add(path, v === undefined ? 'is required' : `must be a URL string such as http://localhost:8000/health (got ${describeValue(v)})`);
    return;
  }
  const problem = readyUrlProblem(v);
  if (problem) add(path, problem);
}

const isStatus = (s: unknown) => Number.isInteger(s) && (s as number) >= 100 && (s as number) <= 599;

function checkStatus(v: unknown, add: AddProblem): void {
  if (v === undefined) return;
  const list = Array.isArray(v) ? v : [v];
  if (list.length === 0 || !list.every(isStatus)) {
    add(['status'], `must be an HTTP status 100-599 or a list of them, e.g. 200 or [200, 204] (got ${describeValue(v)})`);
  }
}

function checkTcpPort(v: unknown, add: AddProblem, path: Array<string | number>): void {
  if (v === undefined) add(path, 'is required');
  else if (!Number.isInteger(v) || (v as number) < 1 || (v as number) > 65535) add(path, `must be a whole number 1-65535 (got ${describeValue(v)})`);
}

export function checkReady(v: unknown, add: AddProblem): void {
  if (v === undefined) return;
  if (typeof v === 'string') return checkUrl(v, add, []);
  if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof RegExp) {
    const hint = v instanceof RegExp ? `; for a log line write { log: ${String(v)} }` : '';
    return add([], `${READY_FORMS_TEXT} (got ${describeValue(v)})${hint}`);
  }
  const obj = v as Record<string, unknown>;
  const keys = Object.keys(obj);
  const forms = (Object.keys(READY_FORMS) as Array<keyof typeof READY_FORMS>).filter((f) => f in obj);
  const allKeys = Object.values(READY_FORMS).flat();
  if (forms.length === 0) {
    // No key picks a form: name the near misses, else say what ready can be.
    const hinted = keys.map((k) => [k, didYouMean(k, allKeys)] as const).filter(([, d]) => d);
    if (hinted.length) for (const [k, d] of hinted) add([k], `unknown key${d}`);
    else add([], `${READY_FORMS_TEXT} (got an object with ${keys.length ? keys.join(', ') : 'no keys'})`);
    return;
  }
  if (forms.length > 1) return add([], `uses ${forms.join(' and ')} together; pick one: ${READY_FORMS_TEXT}`);
  const form = forms[0]!;
  const allowed: readonly string[] = READY_FORMS[form];
  for (const k of keys.filter((k) => !allowed.includes(k))) add([k], `unknown key in the { ${allowed.join(', ')} } form${didYouMean(k, allowed)}`);
  switch (form) {
    case 'url':
      checkUrl(obj.url, add, ['url']);
      checkStatus(obj.status, add);
      break;
    case 'port':
      checkTcpPort(obj.port, add, ['port']);
      if (obj.host !== undefined && (typeof obj.host !== 'string' || !obj.host)) add(['host'], `must be a host name or address (got ${describeValue(obj.host)})`);
      break;
    case 'log':
      if (!(obj.log instanceof RegExp)) {
        const hint = typeof obj.log === 'string' ? `; write /${obj.log}/, not a string` : '';
        add(['log'], `must be a RegExp such as /listening on/ (got ${describeValue(obj.log)})${hint}`);
      }
      break;
    case 'check':
      if (typeof obj.check !== 'function') add(['check'], `must be a function returning a boolean or a Promise of one (got ${describeValue(obj.check)})`);
      break;
  }
}

/** A service's `port`: a whole number 1-65535, or 'auto'. */
export function checkPort(v: unknown, add: AddProblem): void {
  if (v === 'auto') return;
  if (typeof v !== 'number') add([], `must be a whole number 1-65535 or 'auto' (got ${describeValue(v)})`);
  else if (!Number.isInteger(v)) add([], 'must be a whole number');
  else if (v < 1 || v > 65535) add([], 'must be 1-65535');
}
