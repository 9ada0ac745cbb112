import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { config as loadDotenv } from 'dotenv';
import { ConfigError, loadConfig, printConfigError } from '../config';
import { serve } from '../main';
import { databaseFailure } from '../ops/start-failure';
import { packageRoot } from '../web/assets';
import { addKeyCommands } from './keys';
import { migrate } from './migrate';
import { addRequestCommands } from './request';

/** Exit codes: 0 done, 1 the work failed (e.g. the database is unreachable), 2 bad usage or configuration. */
export const exitCodes = { ok: 0, failed: 1, usage: 2 } as const;

const environmentHelp = `
Configuration comes from the environment and from ./.env when present (see the README's
configuration table and .env.example), e.g. DATABASE_URL, PORT, LOG_LEVEL.`;

/** Raised by a command to end with a message and an exit code. */
class CliFailure extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

function configOrFail() {
  loadDotenv({ quiet: true });
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      printConfigError(error);
      throw new CliFailure('', exitCodes.usage);
    }
    throw error;
  }
}

/** The taskgate command line; `out` prints a result line (tests capture it). */
export function buildProgram(out: (line: string) => void = console.log): Command {
  const program = new Command('taskgate')
    .description('GraphQL gateway over the VirtShell tasks model')
    .showSuggestionAfterError()
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .addHelpText('after', environmentHelp);

  program
    .command('serve')
    .description('serve GraphQL, the legacy REST API, /healthz, /readyz, /metrics and /playground (what `npm start` runs)')
    .addHelpText('after', `${environmentHelp}\nSIGTERM or SIGINT stops it gracefully (exit code 0).`)
    .action(async () => {
      const code = await serve();
      if (code !== 0) throw new CliFailure('', code);
    });

  program
    .command('migrate')
    .description('apply pending database migrations')
    .option('--dry-run', 'only list the pending migrations; change nothing')
    .addHelpText('after', environmentHelp)
    .action(async (options: { dryRun?: boolean }) => {
      const config = configOrFail();
      try {
        console.log(await migrate(config, { dryRun: Boolean(options.dryRun) }));
      } catch (error) {
        throw new CliFailure(`migrate failed: ${databaseFailure(error, config)?.message ?? (error as Error).message}`, exitCodes.failed);
      }
    });

  const io = {
    out,
    config: configOrFail,
    fail(message: string, exitCode: number): never {
      throw new CliFailure(message, exitCode);
    },
  };
  addKeyCommands(program, io);
  addRequestCommands(program, io);

  const manifest = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
  program.version(manifest.version, '-V, --version', 'print the version');
  return program;
}

/** Runs the CLI on `argv` (process.argv form); resolves with the exit code (the callers set process.exitCode). */
export async function run(argv: string[], out: (line: string) => void = console.log): Promise<number> {
  const program = buildProgram(out);
  let code: number = exitCodes.ok;
  try {
    if (argv.length <= 2) {
      program.outputHelp();
    } else {
      await program.parseAsync(argv);
    }
  } catch (error) {
    code = exitCodeOf(error);
  }
  return code;
}

function exitCodeOf(error: unknown): number {
  if (error instanceof CliFailure) {
    if (error.message) console.error(`taskgate ${error.message}`);
    return error.exitCode;
  }
  if (error instanceof CommanderError) {
    // Help asked for and the version are successes; every other parse problem is bad usage.
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return exitCodes.ok;
    return exitCodes.usage;
  }
  // Anything else is still one line: the message and, for network failures, what the system said.
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  const detail = cause?.code ?? cause?.message;
  console.error(`taskgate: ${(error as Error)?.message ?? String(error)}${detail ? ` (${detail})` : ''}`);
  return exitCodes.failed;
}

if (require.main === module) {
  void run(process.argv).then((code) => {
    if (code !== exitCodes.ok) process.exitCode = code;
  });
}
