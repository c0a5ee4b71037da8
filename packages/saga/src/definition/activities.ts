import type { MessageType } from '@switchyard/bus';

/** What an activity sees: the instance's data (a copy it may change), the message, and the facts around it. */
export interface ActivityContext<D, M> {
  /** The saga's data. Change it in place or return a replacement from `update`. */
  data: D;
  /** The event's message; `undefined` for composite events and `finally`. */
  readonly message: M;
  readonly sagaId: string;
  /** The state the instance is in while this activity runs. */
  readonly state: string;
  /** The id of the message being applied. */
  readonly messageId: string;
  /** The clock of the runtime (the checker fixes it). */
  readonly now: Date;
}

/** Builds a message from the context. */
export type MessageBuilder<D, M, T> = (context: ActivityContext<D, M>) => T;

/** When a scheduled event fires: a fixed delay, or a time computed from the context. */
export type ScheduleAt<D, M> = { readonly afterMs: number } | ((context: ActivityContext<D, M>) => Date);

/**
 * One step of a behaviour. Definitions are values: tooling walks these to draw diagrams and check
 * definitions, and the runtime interprets them in order.
 */
export type Activity<D = unknown, M = unknown> =
  | { readonly kind: 'update'; readonly action: (context: ActivityContext<D, M>) => D | undefined }
  | {
      readonly kind: 'publish';
      readonly messageType: MessageType;
      readonly build: MessageBuilder<D, M, unknown>;
    }
  | {
      readonly kind: 'send';
      readonly destination: string;
      readonly messageType: MessageType;
      readonly build: MessageBuilder<D, M, unknown>;
    }
  | {
      readonly kind: 'request';
      readonly destination: string;
      readonly messageType: MessageType;
      readonly build: MessageBuilder<D, M, unknown>;
    }
  | {
      readonly kind: 'schedule';
      readonly event: string;
      readonly at: ScheduleAt<D, M>;
      readonly build: MessageBuilder<D, M, unknown>;
    }
  | { readonly kind: 'unschedule'; readonly event: string }
  | { readonly kind: 'transitionTo'; readonly state: string }
  | { readonly kind: 'finalize' }
  | {
      readonly kind: 'if';
      readonly condition: (context: ActivityContext<D, M>) => boolean;
      readonly whenTrue: readonly Activity<D, M>[];
      readonly whenFalse: readonly Activity<D, M>[];
    };

/**
 * An immutable chain of activities for one event: every method returns a new chain with one more step.
 * `S` is the saga's state names, `E` maps schedulable event names to their messages.
 */
export class ActivityChain<D, M, S extends string, E> {
  readonly activities: readonly Activity<D, M>[];

  constructor(activities: readonly Activity<D, M>[] = []) {
    this.activities = activities;
  }

  /** Changes the data: mutate `context.data` or return the new data. Keep it synchronous and free of I/O. */
  update(action: (context: ActivityContext<D, M>) => D | undefined): ActivityChain<D, M, S, E> {
    return this.#with({ kind: 'update', action });
  }

  /** Publishes a message when the transition commits. */
  publish<T>(messageType: MessageType<T>, build: MessageBuilder<D, M, T>): ActivityChain<D, M, S, E> {
    return this.#with({ kind: 'publish', messageType: messageType as MessageType, build });
  }

  /** Sends a message to `destination` (`queue:name`, `exchange:name` or an address) when the transition commits. */
  send<T>(
    destination: string,
    messageType: MessageType<T>,
    build: MessageBuilder<D, M, T>,
  ): ActivityChain<D, M, S, E> {
    return this.#with({ kind: 'send', destination, messageType: messageType as MessageType, build });
  }

  /**
   * Sends a request whose response (and fault) comes back to the saga's endpoint with the saga's id as
   * its correlation id: declare the response and `faultOf(request)` as events correlated `byCorrelationId`.
   */
  request<T>(
    destination: string,
    messageType: MessageType<T>,
    build: MessageBuilder<D, M, T>,
  ): ActivityChain<D, M, S, E> {
    return this.#with({ kind: 'request', destination, messageType: messageType as MessageType, build });
  }

  /**
   * Schedules event `name` to arrive at this saga later (through the durable scheduler). Scheduling it
   * again replaces the earlier one; only the latest scheduled message is applied, older ones are ignored.
   */
  schedule<K extends keyof E & string>(
    name: K,
    at: ScheduleAt<D, M>,
    build: MessageBuilder<D, M, E[K]>,
  ): ActivityChain<D, M, S, E> {
    return this.#with({ kind: 'schedule', event: name, at, build });
  }

  /** Cancels the scheduled event `name`, if one is pending. */
  unschedule(name: keyof E & string): ActivityChain<D, M, S, E> {
    return this.#with({ kind: 'unschedule', event: name });
  }

  transitionTo(state: S): ActivityChain<D, M, S, E> {
    return this.#with({ kind: 'transitionTo', state });
  }

  /** Moves the instance to the final state: `finally` runs, and the instance is removed if the definition says so. */
  finalize(): ActivityChain<D, M, S, E> {
    return this.#with({ kind: 'finalize' });
  }

  /** Runs the `whenTrue` activities when `condition` holds, the `whenFalse` ones when it does not. */
  if(
    condition: (context: ActivityContext<D, M>) => boolean,
    whenTrue: (chain: ActivityChain<D, M, S, E>) => ActivityChain<D, M, S, E>,
    whenFalse?: (chain: ActivityChain<D, M, S, E>) => ActivityChain<D, M, S, E>,
  ): ActivityChain<D, M, S, E> {
    return this.#with({
      kind: 'if',
      condition,
      whenTrue: whenTrue(new ActivityChain<D, M, S, E>()).activities,
      whenFalse: whenFalse ? whenFalse(new ActivityChain<D, M, S, E>()).activities : [],
    });
  }

  #with(activity: Activity<D, M>): ActivityChain<D, M, S, E> {
    return new ActivityChain<D, M, S, E>([...this.activities, activity]);
  }
}
