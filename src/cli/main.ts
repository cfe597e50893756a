#!/usr/bin/env node
/** The `cleanroom` command line. */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { CleanroomError, ConfigError } from '../errors.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

const CONFIG_HELP = 'config file (default: the nearest cleanroom.config.{ts,mts,cts,js,mjs,cjs} up to the package root, or $CLEANROOM_CONFIG)';

/** The help's closing part: examples, then what the exit codes mean. */
function helpAfter(examples: string[], exits: string[]): string {
  return `\nExamples:\n${examples.map((e) => `  $ ${e}`).join('\n')}\n\nExit codes:\n${exits.map((e) => `  ${e}`).join('\n')}\n`;
}

const program = new Command('cleanroom')
  .description('Start the services an e2e suite needs, and leave nothing running when it ends.')
  .version(pkg.version)
  .showHelpAfterError('(add --help for usage)')
  .addHelpText(
    'after',
    `\nEnvironment: CLEANROOM_CONFIG (config file), CLEANROOM_STATE_DIR (ledger and logs folder), NO_COLOR (no colours; output to a pipe has none either).\n`,
  );

program
  .command('run')
  .description('start the services, run <command>, stop everything; exits with the command\'s code')
  .option('-c, --config <file>', CONFIG_HELP)
  .option('-v, --verbose', 'print every service\'s output, prefixed [name]')
  .argument('[command...]', 'the command to run, after --')
  .addHelpText('after', helpAfter(['cleanroom run -- npx playwright test', 'cleanroom run --config e2e/cleanroom.config.ts -- node smoke.js'], ['the command\'s code', '1    a service failed to start or died during the run', '127  the command could not be run', '128+N  killed by signal N']))
  .action(async (command: string[], opts: { config?: string; verbose?: boolean }) => {
    checkCommand(command); // before anything is loaded or started
    // Loaded only for `run`: `--version` and `--help` need none of the runtime.
    const { runCommand } = await import('./run-command.js');
    process.exitCode = await runCommand(command, opts);
  });

/** `cleanroom run` with no command, or `cleanroom run -- ''`: a usage error before any service starts. */
function checkCommand(argv: string[]): void {
  const usage = 'cleanroom run [--config FILE] -- <command…>, e.g. cleanroom run -- npx playwright test';
  let problem: string | undefined;
  if (argv.length === 0) problem = `command: is required: ${usage}`;
  else if (!argv[0]!.trim()) problem = `command: the program name is empty (${JSON.stringify(argv[0])}): ${usage}`;
  if (problem) throw new ConfigError([problem], undefined, 'invalid arguments to cleanroom run');
}

program
  .command('up')
  .description('start the configured services (or NAME… and what they depend on) in the background; returns once they are ready')
  .option('-c, --config <file>', CONFIG_HELP)
  .argument('[name...]', 'services to start (default: all)')
  .addHelpText(
    'after',
    helpAfter(
      ['cleanroom up', 'cleanroom up api web', 'cleanroom up && npx playwright test   # tests reuse them (same definition), and leave them running'],
      ['0  every service is ready (or already up)', '1  a service failed to start (its error and output are printed), or a bad config or name'],
    ),
  )
  .action(async (names: string[], opts: { config?: string }) => {
    const { upCommand } = await import('./up-command.js');
    process.exitCode = await upCommand(names, opts);
  });

program
  .command('down')
  .description('stop what `cleanroom up` started in this project (all, or NAME…); checks that nothing is left and the ports are free')
  .option('-c, --config <file>', CONFIG_HELP)
  .option('-a, --all', 'every `up` of this host, not only this project\'s')
  .argument('[name...]', 'services to stop (default: all)')
  .addHelpText('after', helpAfter(['cleanroom down', 'cleanroom down web', 'cleanroom down --all'], ['0  stopped, ports free (or nothing was up)', '1  a process or a port is still held afterwards, or NAME is not up']))
  .action(async (names: string[], opts: { config?: string; all?: boolean }) => {
    const { downCommand } = await import('./down-command.js');
    process.exitCode = await downCommand(names, opts);
  });

program
  .command('restart')
  .description('stop one service of `cleanroom up` and start it again (with the config as it is now); waits until it is ready')
  .option('-c, --config <file>', CONFIG_HELP)
  .argument('<name>', 'the service')
  .addHelpText('after', helpAfter(['cleanroom restart api'], ['0  restarted and ready', '1  NAME is not up, or it failed to start again (its error is printed)']))
  .action(async (name: string, opts: { config?: string }) => {
    const { restartCommand } = await import('./restart-command.js');
    process.exitCode = await restartCommand(name, opts);
  });

program
  .command('logs')
  .description('print the output of a service started by `cleanroom up`')
  .option('-c, --config <file>', CONFIG_HELP)
  .option('-f, --follow', 'keep printing new lines until Ctrl+C')
  .option('-n, --lines <n>', 'how many of the last lines to print first (default 100)')
  .argument('<name>', 'the service')
  .addHelpText('after', helpAfter(['cleanroom logs api', 'cleanroom logs web -f', 'cleanroom logs api -n 0 -f   # only new lines'], ['0  printed', '1  no log for NAME (never up on this host), or a bad --lines']))
  .action(async (name: string, opts: { config?: string; follow?: boolean; lines?: string }) => {
    const { logsCommand } = await import('./logs-command.js');
    process.exitCode = await logsCommand(name, opts);
  });

program
  .command('status')
  .description('every cleanroom run of this host (live or stale, test run or up) with processes, ports, URLs, uptime, CPU and memory; and strangers on configured ports')
  .option('-c, --config <file>', CONFIG_HELP)
  .option('--json', 'machine-readable output')
  .addHelpText('after', helpAfter(['cleanroom status', 'cleanroom status --json | jq \'.runs[].services[].url\''], ['0  all clean: every run is live, no stranger holds a configured port', '1  a run is stale, or a process cleanroom did not start holds a configured port']))
  .action(async (opts: { config?: string; json?: boolean }) => {
    const { statusCommand } = await import('./status-command.js');
    process.exitCode = await statusCommand(opts);
  });

program
  .command('sweep')
  .description('reap stale runs and free PORT… (default: the configured ports): stopSignal, wait, SIGKILL; never a live run\'s service, another user\'s process, or cleanroom\'s own ancestors')
  .option('-c, --config <file>', CONFIG_HELP)
  .option('--dry-run', 'print exactly what would be signalled; change nothing')
  .option('--force', 'SIGKILL at once instead of stopSignal first')
  .option('--json', 'machine-readable output')
  .argument('[port...]', 'ports to free (default: every port in the config)')
  .addHelpText(
    'after',
    helpAfter(['cleanroom sweep --dry-run', 'cleanroom sweep 8000 8001', 'cleanroom sweep --force --json'], ['0  every port is free afterwards', '1  a port is still held (its holder is protected by the kill policy), or, with --dry-run, there is something to sweep']),
  )
  .action(async (ports: string[], opts: { config?: string; dryRun?: boolean; force?: boolean; json?: boolean }) => {
    const { sweepCommand } = await import('./sweep-command.js');
    process.exitCode = await sweepCommand(ports, opts);
  });

// The supervisor of `cleanroom up` (started by `up` itself; not for people).
program
  .command('__supervise', { hidden: true })
  .requiredOption('--config <file>')
  .requiredOption('--up-id <id>')
  .option('--skip <names>')
  .argument('[name...]')
  .action(async (names: string[], opts: { config: string; upId: string; skip?: string }) => {
    const { supervise } = await import('../ops/supervisor.js');
    await supervise({ config: opts.config, names, upId: opts.upId, skip: opts.skip ? opts.skip.split(',') : [] });
  });

program.parseAsync().catch((err: unknown) => {
  if (err instanceof CleanroomError) process.stderr.write(`${err.message}\n`);
  else process.stderr.write(`cleanroom: unexpected error: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exitCode = 1;
});
