/**
 * A command array with a hole ([, 'server.js'], a stray comma) is a ConfigError naming the field, not
 * a TypeError from inside the check ("Cannot read properties of undefined (reading 'trim')"): every()
 * skipped the hole, so the array passed as "all strings" and its first element was then read.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, resolveConfig } from '../../src/index.js';

function problemsOf(input: unknown): string[] {
  try {
    resolveConfig(input);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('resolveConfig accepted the config');
}

describe('a command array with a hole', () => {
  // eslint-disable-next-line no-sparse-arrays -- the stray comma under test
  const holeFirst = [, 'server.js'];
  // eslint-disable-next-line no-sparse-arrays -- the stray comma under test
  const holeInside = ['node', , 'server.js'];

  it.each([
    ['first', holeFirst],
    ['inside', holeInside],
  ])('hole %s: command is a ConfigError', (_, command) => {
    expect(problemsOf({ services: { api: { command } } })).toEqual(['services.api.command: must be an array of strings [program, ...args]']);
  });

  it('stopCommand too', () => {
    expect(problemsOf({ services: { api: { command: 'x', stopCommand: holeFirst } } })).toEqual([
      'services.api.stopCommand: must be an array of strings [program, ...args]',
    ]);
  });
});
