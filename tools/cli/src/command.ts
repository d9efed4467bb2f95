import type { ParseArgsConfig } from 'node:util';
import type { CliContext } from './context.js';
import type { ExitCode } from './exit-codes.js';

export interface CommandArgs {
  positionals: string[];
  values: Record<string, string | boolean | undefined>;
}

/** One `vmsync <command>`: its words, its usage line, its options, and what it does. */
export interface Command {
  readonly words: readonly string[];
  readonly usage: string;
  readonly summary: string;
  readonly options?: NonNullable<ParseArgsConfig['options']>;
  run(ctx: CliContext, args: CommandArgs): Promise<ExitCode>;
}

export const str = (args: CommandArgs, name: string): string | undefined => {
  const v = args.values[name];
  return typeof v === 'string' ? v : undefined;
};
