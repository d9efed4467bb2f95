export { COMMANDS } from './commands/index.js';
export { type Diagnosis, diagnoseDomain } from './diagnose-domain.js';
export { CliError, ExitCode } from './exit-codes.js';
export { runCli } from './run-cli.js';
