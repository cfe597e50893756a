/** cleanroom's own messages go to stderr, so they never mix with a reporter's stdout (e.g. --reporter=json). */
import { colorsFor, terminalMode } from '../report/terminal.js';

export interface Logger {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

/** Colours as stderr allows (none in CI, in a pipe or under NO_COLOR; see report/terminal.ts). */
const pc = () => colorsFor(terminalMode(process.stderr).colors);

export const stderrLogger: Logger = {
  info: (msg) => process.stderr.write(`${pc().dim('cleanroom:')} ${msg}\n`),
  warn: (msg) => process.stderr.write(`${pc().yellow('cleanroom:')} ${msg}\n`),
  error: (msg) => process.stderr.write(`${pc().red(msg.startsWith('cleanroom:') ? msg : `cleanroom: ${msg}`)}\n`),
};

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
