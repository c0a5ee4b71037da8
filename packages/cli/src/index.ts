export { type CliIo, runCli } from './cli.ts';
export { CliError, exitCodes } from './exit-codes.ts';
