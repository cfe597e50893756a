import { randomBytes } from 'node:crypto';

/** A unique id per start(): every process of the run carries it as CLEANROOM_RUN_ID. */
export function newRunId(): string {
  return `${Date.now().toString(36)}-${process.pid}-${randomBytes(4).toString('hex')}`;
}
