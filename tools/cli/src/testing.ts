import { COMMANDS } from './commands/index.js';
import { Output } from './output.js';
import { runCli } from './run-cli.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed, for runs with --json. */
  json: unknown;
}

/** Runs one command line in this process, as `./vmsync` would, and captures what it printed. */
export async function runCliCaptured(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(
    argv,
    env,
    COMMANDS,
    (json) =>
      new Output(
        json,
        (t) => {
          stdout += t;
        },
        (t) => {
          stderr += t;
        },
      ),
  );
  let json: unknown;
  try {
    json = argv.includes('--json') ? JSON.parse(stdout) : undefined;
  } catch {
    json = undefined;
  }
  return { code, stdout, stderr, json };
}
