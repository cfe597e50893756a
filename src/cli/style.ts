/**
 * Output style for the operations commands: colour only on a terminal, never with NO_COLOR (any
 * value) or TERM=dumb; FORCE_COLOR forces it. picocolors' own default also turns colour on under CI
 * even into a pipe, which a log file or `| grep` does not want.
 */
import pc from 'picocolors';

export function colorEnabled(stream: NodeJS.WriteStream = process.stdout): boolean {
  if ('NO_COLOR' in process.env) return false;
  if (process.env.FORCE_COLOR && process.env.FORCE_COLOR !== '0') return true;
  return !!stream.isTTY && process.env.TERM !== 'dumb';
}

export const out = pc.createColors(colorEnabled(process.stdout));
export const err = pc.createColors(colorEnabled(process.stderr));

/** A plain text table: columns padded to their widest cell (colour codes do not count). */
export function table(header: string[], rows: string[][]): string {
  // eslint-disable-next-line no-control-regex
  const width = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '').length;
  const widths = header.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat(widths[i]! - width(c))))
      .join('  ')
      .trimEnd();
  return [line(header.map((h) => out.bold(h))), ...rows.map(line)].join('\n');
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : word.endsWith('s') ? 'es' : 's'}`;
}
