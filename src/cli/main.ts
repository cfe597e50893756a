#!/usr/bin/env node
/** The `cleanroom` command line. */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { CleanroomError } from '../errors.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

const program = new Command('cleanroom')
  .description('Start the services an e2e suite needs, and leave nothing running when it ends.')
  .version(pkg.version);

program
  .command('run')
  .description('start the services, run <command>, stop everything; exits with the command\'s code')
  .option('-c, --config <file>', 'config file (default: cleanroom.config.{ts,mts,js,mjs} here, or $CLEANROOM_CONFIG)')
  .option('-v, --verbose', 'print every service\'s output, prefixed [name]')
  .argument('<command...>', 'the command to run, after --')
  .action(async (command: string[], opts: { config?: string; verbose?: boolean }) => {
    // Loaded only for `run`: `--version` and `--help` need none of the runtime.
    const { runCommand } = await import('./run-command.js');
    process.exitCode = await runCommand(command, opts);
  });

program.parseAsync().catch((err: unknown) => {
  if (err instanceof CleanroomError) process.stderr.write(`${err.message}\n`);
  else process.stderr.write(`cleanroom: unexpected error: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exitCode = 1;
});
