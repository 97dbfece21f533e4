#!/usr/bin/env node
/**
 * The `hookline` command line: `run` a hook once in the sandbox (Auth0's Runner), `validate` a config,
 * `import auth0` an auth0-deploy-cli export.
 * Only commander loads at start; each command loads its own modules when it runs, so that `--help`
 * and `--version` answer at once and `run` does not load the module's Nest side.
 */
import { Command, CommanderError } from 'commander';
import { readPackageVersion } from '../hookline/core/util/package-version';
import { EXIT, UsageError } from './usage.error';

const collect = (value: string, previous: string[]) => [...previous, value];

/** Paths are relative to where the command was typed (npm runs scripts from the package root). */
function invocationDir(): string {
  return process.env.INIT_CWD ?? process.cwd();
}

export function buildProgram(): Command {
  const program = new Command('hookline')
    .description('Hookline: run and check hook scripts and configs')
    .version(readPackageVersion(), '-V, --version')
    .exitOverride()
    .showSuggestionAfterError()
        // One line per error, "did you mean" suggestion included.
    .configureOutput({ outputError: (text, write) => write(text.trim().replace(/\s*\n\s*/g, ' ') + '\n') });
  program
    .command('run')
    .description("run a hook once with a sample payload (Auth0's starter user and context by default)")
    .argument('<script>', 'the hook script (.js)')
    .option('--event <file>', 'a JSON file: { "user": {...}, "context": {...} } or a user.registered event')
    .option('--secrets-file <file>', 'secrets for the hook: a .json object of strings, or a dotenv file')
    .option('--secret <KEY=VALUE>', 'a secret for the hook (repeatable; overrides --secrets-file)', collect, [])
    .option('--timeout-ms <n>', 'timeout in ms (1 to 30000)')
    .option('--memory-mb <n>', 'memory limit in MB (8 to 1024)')
    .option('--allow-host <host>', 'a host fetch may reach: name, *.domain or IP, optionally :port (repeatable)', collect, [])
    .option('--ca <file>', "a PEM file of CA certificates the hook's HTTPS requests trust (besides NODE_EXTRA_CA_CERTS)")
    .option('--json', 'print exactly one JSON object on stdout')
    .action(async (script: string, options) => {
      const { runCommand } = await import('./run.command');
      process.exitCode = await runCommand(script, options, invocationDir());
    });
  program
    .command('validate')
    .description('check a config file; exit 0 with a summary, or 1 with every error')
    .argument('[config]', 'the config file', 'hookline.yaml')
    .action(async (file: string) => {
      const { validateCommand } = await import('./validate.command');
      process.exitCode = await validateCommand(file, invocationDir());
    });
  program
    .command('import')
    .description('import hooks from another platform')
    .command('auth0')
    .description('turn the Post User Registration Hooks and Actions of an auth0-deploy-cli export into hook scripts and config')
    .argument('<export>', 'the export: its folder (directory form) or its tenant.yaml (YAML form)')
    .requiredOption('--out <dir>', 'where to write the scripts, hookline.yaml and .env.example')
    .option('--tenant <id>', "the Hookline tenant id (default: the export folder's name)")
    .option('--force', 'overwrite files that exist in --out')
    .action(async (exportPath: string, options) => {
      const { importAuth0Command } = await import('./import.command');
      process.exitCode = await importAuth0Command(exportPath, options, invocationDir());
    });
  program
    .command('secrets')
    .description('manage the tenant store\'s encrypted secrets')
    .command('rotate')
    .description('re-encrypt every stored secret with the first key of HOOKLINE_SECRETS_KEYS')
    .option('--store-url <url>', 'the tenant store (postgres://…); default HOOKLINE_STORE_URL')
    .option('--schema <name>', 'the store\'s schema', 'hookline')
    .action(async (options) => {
      const { rotateSecretsCommand } = await import('./secrets.command');
      process.exitCode = await rotateSecretsCommand(options);
    });
  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    } else if (error instanceof UsageError) {
      process.stderr.write(`hookline: ${error.message}\n`);
      process.exitCode = EXIT.usage;
    } else {
      process.stderr.write(`hookline: ${(error as Error).stack ?? error}\n`);
      process.exitCode = EXIT.failed;
    }
  }
}

if (require.main === module) void main(process.argv);
