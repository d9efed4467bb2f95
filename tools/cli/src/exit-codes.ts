import { VmsyncError } from '@vmsync/errors';

/**
 * What `vmsync <command>` exits with (docs/cli.md). Scripts may rely on these numbers.
 * 1 is reserved for "ran, and found something an administrator must fix".
 */
export const ExitCode = {
  ok: 0,
  /** The command ran and found a problem (a failed domain test, a user needing admin action). */
  problemFound: 1,
  /** Wrong command line: unknown command or option, missing argument. */
  usage: 2,
  /** The configuration is missing or invalid (an environment variable, the domains file). */
  config: 3,
  /** Redis or Kafka could not be reached, so the command could not do its work. */
  unreachable: 4,
  /** A bug or an unexpected failure. */
  internal: 70,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** A failure the CLI reports in one line, exiting with `exitCode`. */
export class CliError extends VmsyncError {
  constructor(
    code: string,
    message: string,
    readonly exitCode: ExitCode,
    cause?: unknown,
  ) {
    super(code, message, { cause });
    this.name = 'CliError';
  }
}

export const usageError = (message: string) => new CliError('CLI_USAGE', message, ExitCode.usage);
/** Configuration that cannot work; keeps the code of the error that found it (KEY_FILE_INVALID, ...). */
export const configError = (message: string, cause?: unknown) =>
  new CliError(
    cause instanceof VmsyncError ? cause.code : 'CLI_CONFIG',
    message,
    ExitCode.config,
    cause,
  );
