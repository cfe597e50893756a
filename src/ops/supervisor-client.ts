/** Talks to a `cleanroom up` supervisor over its unix socket: one JSON line each way. */
import { connect } from 'node:net';
import type { SupervisorReply, SupervisorRequest } from './supervisor.js';
import { socketPath } from './up-runs.js';

export function askSupervisor(upId: string, req: SupervisorRequest, timeoutMs = 120_000): Promise<SupervisorReply> {
  return new Promise((resolve, reject) => {
    const sock = connect(socketPath(upId));
    let buf = '';
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`the supervisor of ${upId} did not answer within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    sock.setEncoding('utf8');
    sock.on('connect', () => sock.write(`${JSON.stringify(req)}\n`));
    sock.on('data', (c: string) => (buf += c));
    sock.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    sock.on('end', () => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(buf.trim()) as SupervisorReply);
      } catch {
        reject(new Error(`the supervisor of ${upId} gave no answer`));
      }
    });
  });
}
