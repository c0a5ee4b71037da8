import { SwitchyardError } from '@switchyard/bus';

/** A send reached no queue: nothing is bound to the exchange it went to. */
export class NoRouteError extends SwitchyardError {
  constructor(message: string) {
    super('NO_ROUTE', message);
  }
}
