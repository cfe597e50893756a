#!/usr/bin/env node
/** The `cleanroom` command line. */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { CleanroomError, ConfigError } from '../errors.js';
import { runCommand } from './run-command.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

const program = new Command('cleanroom')
  .description('Start the services an e2e suite needs, and leave nothing running when it ends.')
  .version(pkg.version);

program
  .command('run')
  .description('start the services, run <command>, stop everything; exits with the command\'s code')
  .option('-c, --config <file>', 'config file (default: the nearest cleanroom.config.{ts,mts,cts,js,mjs,cjs} up to the package root, or $CLEANROOM_CONFIG)')
  .option('-v, --verbose', 'print every service\'s output, prefixed [name]')
  .argument('[command...]', 'the command to run, after --')
  .action(async (command: string[], opts: { config?: string; verbose?: boolean }) => {
    checkCommand(command); // before anything is loaded or started
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

program.parseAsync().catch((err: unknown) => {
  if (err instanceof CleanroomError) process.stderr.write(`${err.message}\n`);
  else process.stderr.write(`cleanroom: unexpected error: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exitCode = 1;
});
