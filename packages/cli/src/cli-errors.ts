import type { ErrorCode } from '@switchyard/bus';

/** The codes `yard` raises, one per exit code, each listed in docs/errors.md. */
declare module '@switchyard/bus' {
  interface SwitchyardErrorCodes {
    CLI_FAILED: '@switchyard/cli';
    CLI_NOT_DRAINED: '@switchyard/cli';
    CLI_NOT_FOUND: '@switchyard/cli';
    CLI_USAGE: '@switchyard/cli';
  }
}

/** The code of a CliError that ends with an exit code: the exit code is for scripts, the code for code. */
export function cliErrorCodeOf(exitCode: number): ErrorCode {
  if (exitCode === 2) return 'CLI_USAGE';
  if (exitCode === 3) return 'CLI_NOT_FOUND';
  if (exitCode === 4) return 'CLI_NOT_DRAINED';
  return 'CLI_FAILED';
}
