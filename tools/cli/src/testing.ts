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

/** `domain add` of the local stack's Google-like domain with `key` (the stack's env). */
export function addStackDomainArgs(stack: Readonly<Record<string, string>>, key: string): string[] {
  return [
    'domain',
    'add',
    'example.test',
    '--key',
    key,
    '--imap-host',
    stack.VMSYNC_IMAP_HOST ?? '',
    '--imap-port',
    stack.VMSYNC_IMAP_PORT ?? '',
    '--tls-ca',
    stack.VMSYNC_IMAP_TLS_CA ?? '',
    '--servername',
    stack.VMSYNC_IMAP_SERVERNAME ?? '',
    '--token-url',
    stack.VMSYNC_GOOGLE_TOKEN_URL ?? '',
  ];
}
