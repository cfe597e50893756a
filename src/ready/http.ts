import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { ReadyProbe } from './probe.js';

/**
 * Ready when a GET answers with an accepted status (default 200-399). Hand-written instead of
 * wait-on: importing wait-on costs ~300 ms (axios, joi, rxjs), as much as a whole start-up here,
 * and it needs proxy and HEAD quirks turned off; a 10 ms poll of our own measured the same latency.
 */
export function httpProbe(url: string, status?: number[]): ReadyProbe {
  const accept = (code: number) => (status ? status.includes(code) : code >= 200 && code < 400);
  const u = new URL(url);
  const request = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return {
    describe: `GET ${url}${status ? ` answering ${status.join(' or ')}` : ' answering 2xx/3xx'}`,
    attempt() {
      return new Promise((resolve) => {
        // Dev servers use self-signed certificates; readiness is about "answering", not trust.
        const req = request(u, { method: 'GET', agent: false, timeout: 2000, rejectUnauthorized: false }, (res) => {
          res.resume();
          const code = res.statusCode ?? 0;
          resolve(accept(code) ? { ok: true } : { ok: false, detail: `status ${code}` });
        });
        req.on('timeout', () => req.destroy(new Error('no answer within 2 s')));
        req.on('error', (e: NodeJS.ErrnoException) => resolve({ ok: false, ...(e.code === 'ECONNREFUSED' && { refused: true }), detail: errorDetail(e, u.protocol) }));
        req.end();
      });
    },
  };
}

/** A failed request in the user's words: OpenSSL's "wrong version number" means plain HTTP answered a TLS hello. */
export function errorDetail(e: NodeJS.ErrnoException, protocol: string): string {
  if (e.code === 'ECONNREFUSED') return 'connection refused';
  const text = e.message.split('\n')[0] ?? '';
  if (protocol === 'https:' && (e.code === 'EPROTO' || /wrong version number|packet length too long|SSL routines/i.test(text))) {
    return 'the server answered plain HTTP, not TLS: use http:// in ready.url';
  }
  if (protocol === 'http:' && (e.code === 'ECONNRESET' || /socket hang up/.test(text))) {
    return 'the connection was closed without an answer (if the server speaks TLS, use https:// in ready.url)';
  }
  return text;
}
