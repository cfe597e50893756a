/**
 * The per-user state folder that holds the ledger (one file per run) and the logs of `cleanroom up`.
 *
 * Created 0700 when cleanroom creates it. An existing folder is never chmodded (CLEANROOM_STATE_DIR=/tmp
 * once made /tmp private): one that another user owns, or that others may write to (group or other
 * write bit, sticky or not: anyone could plant a record naming our processes, and the reaper signals
 * what records name), is refused with a message saying what to do, and the ledger is off.
 */
import { lstatSync, mkdirSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

/** $CLEANROOM_STATE_DIR, else $XDG_STATE_HOME/cleanroom, else ~/.local/state/cleanroom. */
export function stateDir(): string {
  if (process.env.CLEANROOM_STATE_DIR) return process.env.CLEANROOM_STATE_DIR;
  const base = process.env.XDG_STATE_HOME || join(homedir() || tmpdir(), '.local', 'state');
  return join(base, 'cleanroom');
}

export type StateDirCheck = { ok: true; dir: string } | { ok: false; dir: string; problem: string };

/** Creates the folder if missing (0700) and checks it may be trusted. Never changes an existing folder. */
export function checkStateDir(dir = stateDir()): StateDirCheck {
  const hint = `Set CLEANROOM_STATE_DIR to a folder only you can write (e.g. mkdir -m 700 ~/.cleanroom-state), or unset it.`;
  try {
    let st;
    try {
      st = lstatSync(dir);
    } catch {
      // Parents are created with the usual mode; only the last level is ours to make private.
      mkdirSync(join(dir, '..'), { recursive: true });
      mkdirSync(dir, { mode: 0o700 });
      st = lstatSync(dir);
    }
    if (!st.isDirectory()) return { ok: false, dir, problem: `state folder ${dir} is not a folder (${st.isSymbolicLink() ? 'a symbolic link' : 'a file'}). ${hint}` };
    if (typeof process.getuid === 'function' && st.uid !== process.getuid()) {
      return { ok: false, dir, problem: `state folder ${dir} belongs to another user (uid ${st.uid}). ${hint}` };
    }
    if ((st.mode & 0o022) !== 0) {
      const mode = (st.mode & 0o7777).toString(8).padStart(4, '0');
      return {
        ok: false,
        dir,
        problem: `state folder ${dir} can be written by other users (mode ${mode}), so its run records cannot be trusted; cleanroom does not change an existing folder's mode. ${hint}`,
      };
    }
    return { ok: true, dir };
  } catch (err) {
    return { ok: false, dir, problem: `state folder ${dir} cannot be used: ${(err as Error).message}` };
  }
}

const warned = new Set<string>();

/**
 * The folder, or undefined when it cannot be used (then said once per folder on stderr: a test run
 * goes on without the ledger, which is the last line of defence, not the only one).
 */
export function ensureStateDir(): string | undefined {
  const c = checkStateDir();
  if (c.ok) return c.dir;
  if (!warned.has(c.dir)) {
    warned.add(c.dir);
    process.stderr.write(`cleanroom: ${c.problem} Until then the ledger is off: a run killed with its watchdog is not reaped later.\n`);
  }
  return undefined;
}
