import { COMMANDS } from './commands/index.js';
import { runCli } from './run-cli.js';

// `./vmsync <command>` lands here (docs/cli.md); the exit code is the contract with scripts.
process.exitCode = await runCli(process.argv.slice(2), process.env, COMMANDS);
