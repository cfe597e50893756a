/**
 * `cleanroom run -- <command…>`: start the services, run the command with CLEANROOM_<NAME>_URL/_PORT,
 * stop everything, and exit with the command's code (non-zero when a service failed).
 *
 * The command runs in its own process group too: a signal to cleanroom is forwarded to it exactly once
 * (a terminal's Ctrl+C would otherwise reach it twice, and a second SIGINT means "force" to runners).
 */
import { constants } from 'node:os';
import { spawn } from 'node:child_process';
import { loadConfig } from '../config/load.js';
import { CleanroomError } from '../errors.js';
import { signalGroup } from '../kill/signal.js';
import { stderrLogger } from '../run/log.js';
import { start } from '../run/start.js';
import { localEnv } from '../spawn/local-env.js';

export interface RunOptions {
  config?: string;
  verbose?: boolean;
}

const FORWARDED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
/** How the command appears in the run's records and messages. */
const COMMAND = '(command)';

/** Runs the command between start and stop; resolves to the exit code cleanroom should exit with. */
export async function runCommand(argv: string[], opts: RunOptions): Promise<number> {
  if (argv.length === 0) throw new CleanroomError('cleanroom run: no command given. Usage: cleanroom run [--config FILE] -- <command…>');
  if (opts.verbose) process.env.CLEANROOM_VERBOSE = '1';
  const config = await loadConfig(opts.config);

  let signalled: NodeJS.Signals | undefined;
  /** The command's group, while the command runs (never signalled after it has exited). */
  let commandGroup: number | undefined;
  let count = 0;
  let endedByFailure = false;
  const starting = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    signalled ??= sig;
    count++;
    if (commandGroup) signalGroup(commandGroup, count === 1 ? sig : 'SIGKILL');
    else starting.abort(new CleanroomError(`cleanroom: interrupted by ${sig} while starting`));
  };
  const handlers = FORWARDED.map((s) => [s, () => onSignal(s)] as const);
  for (const [s, h] of handlers) process.on(s, h);

  try {
    // cleanroom handles the signals here: the command gets them first and may still need the services
    // for its own teardown; they are stopped once it has exited (a second signal: SIGKILL at once).
    let services;
    try {
      services = await start(config, {
        signals: 'caller',
        signal: starting.signal,
        // A service died (onServiceExit: 'end-run'): the command is stopped, and cleanroom exits 1.
        endRun: () => {
          endedByFailure = true;
          if (commandGroup) signalGroup(commandGroup, 'SIGTERM');
        },
      });
    } catch (err) {
      if (signalled) return 128 + constants.signals[signalled];
      throw err;
    }
    if (signalled) {
      await services.stop();
      return 128 + constants.signals[signalled];
    }
    const env = { ...services.env, ...services.tagEnv(COMMAND) };
    const [file, ...args] = argv as [string, ...string[]];
    // node:child_process, not execa: importing execa alone cost ~120 ms of every `cleanroom run` (bench/).
    const child = spawn(file, args, {
      stdio: 'inherit',
      env: localEnv(process.cwd(), env),
      detached: true,
      shell: argv.length === 1 && /\s/.test(file), // `cleanroom run -- "npm test && echo ok"`
    });
    const result = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal }));
      child.once('error', (error) => resolve({ code: null, signal: null, error }));
    });
    const pid = child.pid;
    commandGroup = pid;
    child.once('exit', () => (commandGroup = undefined));
    // Guarded, watched and recorded like a service: if cleanroom itself is SIGKILLed, the command goes too.
    if (pid) services.adopt({ name: COMMAND, pid });
    const exit = await result;
    // stop() ends whatever the command left behind in its group (or tagged as it) first, then the services.
    const summary = await services.stop();
    if (signalled) return 128 + constants.signals[signalled];
    if (endedByFailure) return 1;
    if (exit.signal) return 128 + constants.signals[exit.signal];
    if (exit.error) {
      stderrLogger.error(`cleanroom: could not run ${argv.join(' ')}: ${exit.error.message}`);
      return 127;
    }
    const code = exit.code ?? 1;
    if (code === 0 && (summary.failures.length || summary.portsHeld.length || summary.left.length)) return 1;
    return code;
  } finally {
    for (const [s, h] of handlers) process.removeListener(s, h);
  }
}
