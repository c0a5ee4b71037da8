import { SwitchyardError } from '@switchyard/bus';

/** Migrations cannot be applied as they are: an edited, missing, duplicate or failing file. */
export class MigrationError extends SwitchyardError {
  constructor(message: string, options?: ErrorOptions) {
    super('MIGRATION', message, options);
  }
}
