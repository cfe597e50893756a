/** The per-user state folder (mode 0700) that holds the ledger: one file per run. */
import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

/** $CLEANROOM_STATE_DIR, else $XDG_STATE_HOME/cleanroom, else ~/.local/state/cleanroom. */
export function stateDir(): string {
  if (process.env.CLEANROOM_STATE_DIR) return process.env.CLEANROOM_STATE_DIR;
  const base = process.env.XDG_STATE_HOME || join(homedir() || tmpdir(), '.local', 'state');
  return join(base, 'cleanroom');
}

/** Creates the folder if needed and makes sure it is ours and private. Returns undefined if it cannot be used. */
export function ensureStateDir(): string | undefined {
  const dir = stateDir();
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = statSync(dir);
    if (typeof process.getuid === 'function' && st.uid !== process.getuid()) return undefined; // someone else's: don't trust it
    if ((st.mode & 0o077) !== 0) chmodSync(dir, 0o700);
    return dir;
  } catch {
    return undefined;
  }
}
