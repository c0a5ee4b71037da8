import { SwitchyardError } from '@switchyard/bus';

/** The codes slots raises, each listed in docs/errors.md. */
declare module '@switchyard/bus' {
  interface SwitchyardErrorCodes {
    SLOTS_DESIRED_STATE_INVALID: '@switchyard/slots';
    SLOTS_SWITCH_REFUSED: '@switchyard/slots';
    SLOTS_BROKER_UNREADABLE: '@switchyard/slots';
    SLOTS_EVACUATION_STALLED: '@switchyard/slots';
  }
}

/**
 * The desired state is not one the reconciler can act on: a file that does not parse, a field that
 * breaks a rule, a service the application does not have, a slot not in the list. Names where
 * (the file or table, and the path inside it) and the rule.
 */
export class DesiredStateError extends SwitchyardError {
  /** Where the state was read, e.g. `deploy/slots.yaml` or `PostgreSQL table switchyard_slots.slot_services`. */
  readonly source: string;
  /** The path inside it, e.g. `services.billing.live`; empty for the whole document. */
  readonly path: string;

  constructor(source: string, path: string, rule: string) {
    super('SLOTS_DESIRED_STATE_INVALID', `${source}${path ? `: ${path}` : ''}: ${rule}`);
    this.source = source;
    this.path = path;
  }
}

/** A switch, rollback or canary would leave messages with nowhere to go; nothing was changed. */
export class SwitchRefusedError extends SwitchyardError {
  constructor(message: string) {
    super('SLOTS_SWITCH_REFUSED', message);
  }
}

/** The broker's routing could not be read or changed (no management plugin, refused credentials). */
export class BrokerUnreadableError extends SwitchyardError {
  constructor(message: string, options?: ErrorOptions) {
    super('SLOTS_BROKER_UNREADABLE', message, options);
  }
}

/**
 * Moving a stranded queue's messages stopped because the broker did not answer a commit in time (a
 * memory or disk alarm blocks publishers, or it stalled). The connection was dropped, so the broker
 * rolled back the batch: what was not moved stays in its queue, at most a batch in both queues.
 */
export class EvacuationStalledError extends SwitchyardError {
  constructor(message: string) {
    super('SLOTS_EVACUATION_STALLED', message);
  }
}
