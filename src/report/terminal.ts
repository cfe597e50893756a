/**
 * How cleanroom's lines may look on a given stream: live (updated in place) or plain, with or without
 * colours. One decision for everything cleanroom prints, so that CI logs and pipes get no escape codes.
 */
import pc from 'picocolors';

export type Colors = ReturnType<typeof pc.createColors>;

/** The output stream as far as the decision needs it (process.stderr, or a stream in a test). */
export interface OutputStream {
  isTTY?: boolean;
  columns?: number;
  rows?: number;
}

export interface TerminalMode {
  /** Lines may be rewritten in place (cursor movement): a terminal with a size, not CI, not NO_COLOR, not TERM=dumb. */
  live: boolean;
  /** ANSI colours may be used. */
  colors: boolean;
}

/** `CI` set to anything but '', 'false' or '0' (what CI services set: 'true', '1', a name). */
export function isCI(env: NodeJS.ProcessEnv): boolean {
  const v = env.CI?.trim().toLowerCase();
  return v !== undefined && v !== '' && v !== 'false' && v !== '0';
}

/**
 * NO_COLOR (non-empty, no-color.org) means no escape codes at all, and wins over everything (as in
 * picocolors). FORCE_COLOR forces colours on (any value but '0'/'false', which force them off, as
 * Node and supports-color read it) but never turns a pipe or CI log into a live display. Otherwise
 * colours go with the live display. picocolors' own default is not used: it looks at stdout, not at
 * the stream we write to, and turns colours on whenever `CI` is set.
 */
export function terminalMode(stream: OutputStream, env: NodeJS.ProcessEnv = process.env): TerminalMode {
  const noColor = Boolean(env.NO_COLOR);
  const terminal = stream.isTTY === true && env.TERM !== 'dumb' && !isCI(env) && !noColor;
  // A pseudo-terminal of size 0 (`script`, some CI wrappers): log-update would draw nothing there.
  const live = terminal && stream.columns !== 0 && stream.rows !== 0;
  if (noColor) return { live, colors: false };
  const force = env.FORCE_COLOR;
  if (force !== undefined) return { live, colors: !['0', 'false'].includes(force.trim().toLowerCase()) };
  return { live, colors: terminal };
}

const on = pc.createColors(true);
const off = pc.createColors(false);

/** picocolors with colours on or off. */
export function colorsFor(enabled: boolean): Colors {
  return enabled ? on : off;
}
