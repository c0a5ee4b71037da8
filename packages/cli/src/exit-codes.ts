import { SwitchyardError } from '@switchyard/bus';
import { cliErrorCodeOf } from './cli-errors.ts';

/** What `yard` exits with, for scripts: documented in the package README. */
export const exitCodes = {
  ok: 0,
  /** Something failed while doing what was asked (a server down, a refused change). */
  failed: 1,
  /** The command line or the configuration is wrong; nothing was done. */
  usage: 2,
  /** What was asked for does not exist (a saga, a message). */
  notFound: 3,
  /** `yard slots switch|rollback` changed the routing, but the old slot still held work when its wait timed out. */
  notDrained: 4,
  /** `yard regression run|report`: the run compared, and found differences (a mismatch, a side missing, an error). */
  differences: 5,
} as const;

/** An error that ends the command with a message and a given exit code (and the code that goes with it). */
export class CliError extends SwitchyardError {
  readonly exitCode: number;

  constructor(message: string, exitCode: number) {
    super(cliErrorCodeOf(exitCode), message);
    this.exitCode = exitCode;
  }
}
