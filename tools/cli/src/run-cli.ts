import { parseArgs } from 'node:util';
import { ConfigError } from '@vmsync/config';
import { VmsyncError } from '@vmsync/errors';
import { loadCliEnv } from './cli-env.js';
import type { Command } from './command.js';
import { CliContext } from './context.js';
import { CliError, ExitCode, usageError } from './exit-codes.js';
import { Output } from './output.js';

export function helpText(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.words.join(' ').length));
  return [
    'usage: vmsync <command> [--json]',
    '',
    ...commands.map((c) => `  ${c.words.join(' ').padEnd(width)}  ${c.summary}`),
    '',
    'Exit codes: 0 ok, 1 a problem was found (printed), 2 wrong usage, 3 configuration',
    'missing or invalid, 4 Redis or Kafka unreachable, 70 unexpected failure. See docs/cli.md.',
  ].join('\n');
}

/**
 * Runs one command line: finds the command by its words, parses its options, and turns
 * any failure into a one-line message and an exit code. Never throws.
 */
export async function runCli(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  commands: readonly Command[],
  output?: (json: boolean) => Output,
): Promise<ExitCode> {
  const json = argv.includes('--json');
  const out = output?.(json) ?? new Output(json);
  const words = argv.filter((a) => a !== '--json');
  const command = [...commands]
    .sort((a, b) => b.words.length - a.words.length)
    .find((c) => c.words.every((w, i) => words[i] === w));
  if (command === undefined) {
    const asked = words[0] === undefined || ['help', '--help', '-h'].includes(words[0]);
    if (asked) {
      out.result({ commands: commands.map((c) => c.usage) }, () => helpText(commands));
      return ExitCode.ok;
    }
    out.failure('CLI_USAGE', `unknown command "${words.join(' ')}"\n\n${helpText(commands)}`);
    return ExitCode.usage;
  }
  let ctx: CliContext | undefined;
  try {
    const args = parseArgs({
      args: words.slice(command.words.length),
      options: command.options ?? {},
      allowPositionals: true,
      strict: true,
    });
    ctx = new CliContext(loadCliEnv(env), out);
    return await command.run(ctx, {
      positionals: args.positionals,
      values: args.values as Record<string, string | boolean | undefined>,
    });
  } catch (error) {
    const exit = exitCodeOf(error);
    const { code, message } =
      error instanceof VmsyncError
        ? error
        : { code: 'CLI_USAGE', message: (error as Error).message ?? String(error) };
    out.failure(
      code,
      exit === ExitCode.usage ? `${message}\nusage: vmsync ${command.usage}` : message,
    );
    return exit;
  } finally {
    await ctx?.close().catch(() => undefined);
  }
}

function exitCodeOf(error: unknown): ExitCode {
  if (error instanceof CliError) return error.exitCode;
  if (error instanceof ConfigError) return ExitCode.config;
  if (error instanceof VmsyncError) {
    if (error.code.endsWith('_UNREACHABLE') || error.code.startsWith('KAFKA')) {
      return ExitCode.unreachable;
    }
    return error.retriable ? ExitCode.unreachable : ExitCode.config;
  }
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) return ExitCode.usage;
  if ((error as Error).name?.startsWith('KafkaJS')) return ExitCode.unreachable;
  return ExitCode.internal;
}

export { usageError };
