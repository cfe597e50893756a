/** cleanroom's own messages go to stderr, so they never mix with a reporter's stdout (e.g. --reporter=json). */
import pc from 'picocolors';

export interface Logger {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export const stderrLogger: Logger = {
  info: (msg) => process.stderr.write(`${pc.dim('cleanroom:')} ${msg}\n`),
  warn: (msg) => process.stderr.write(`${pc.yellow('cleanroom:')} ${msg}\n`),
  error: (msg) => process.stderr.write(`${pc.red(msg.startsWith('cleanroom:') ? msg : `cleanroom: ${msg}`)}\n`),
};

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
