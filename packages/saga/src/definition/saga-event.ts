import { ConfigurationError, type MessageType } from '@switchyard/bus';

/** How a message finds its saga instance: by the saga's id, by one of its correlation keys, or by the envelope's correlation id. */
export type Correlation<T> =
  | { readonly kind: 'id'; readonly value: (message: T) => string }
  | { readonly kind: 'key'; readonly key: string; readonly value: (message: T) => string }
  | { readonly kind: 'correlationId' };

/**
 * What happens to an event that arrives while the saga is in a state with no behaviour for it:
 * `fault` (the default, as MassTransit does: retries, then the error queue), `ignore` (acknowledged,
 * nothing changes), or `defer` (held in the instance and replayed as soon as a state accepts it).
 */
export type UnexpectedPolicy = 'fault' | 'ignore' | 'defer';

/**
 * What happens to a message that finds no saga instance and may not start one: `fault` (the default),
 * `ignore`, or `park` (held until an instance with its id or key exists, for at most `parkLimitMs`).
 */
export type MissingPolicy = 'fault' | 'ignore' | 'park';

/** Per-stream ordering: messages of one stream apply in sequence-number order, each number once. */
export interface SequenceSpec<T> {
  /** Streams are counted separately per saga instance. */
  readonly stream: string;
  readonly number: (message: T) => number;
  /** The number of the stream's first message (default 1). */
  readonly first?: number;
  /** How long a message may wait for the gap before it to fill; then it goes to the error queue (default: no limit). */
  readonly gapLimitMs?: number;
}

/** How an event's message finds its saga: one of the three forms. */
export type CorrelationOptions<T> =
  | { readonly byId: (message: T) => string }
  | { readonly byKey: string; readonly value: (message: T) => string }
  | { readonly byCorrelationId: true };

/** Options for `event`: its correlation and its policies. */
export type EventOptions<T> = CorrelationOptions<T> & {
  readonly onUnexpected?: UnexpectedPolicy;
  /** With `onUnexpected: 'defer'`: after this long a held message goes to the error queue (default: no limit). */
  readonly deferLimitMs?: number;
  readonly whenMissing?: MissingPolicy;
  /** With `whenMissing: 'park'` (required there): after this long a parked message goes to the error queue. */
  readonly parkLimitMs?: number;
  readonly sequence?: SequenceSpec<T>;
};

/** An event of a saga before `defineSaga` names it. */
export interface EventSpec<T = unknown> {
  readonly messageType: MessageType<T>;
  readonly correlation: Correlation<T>;
  readonly onUnexpected: UnexpectedPolicy;
  readonly deferLimitMs: number | undefined;
  readonly whenMissing: MissingPolicy;
  readonly parkLimitMs: number | undefined;
  readonly sequence: SequenceSpec<T> | undefined;
}

/** A named event of a saga definition. */
export interface SagaEvent<T = unknown> extends EventSpec<T> {
  readonly name: string;
}

/** The message type carried by an event spec. */
export type MessageOfEvent<E> = E extends EventSpec<infer T> ? T : never;

/** Declares a saga event: a bus message type, how it finds its instance, and what to do when it is early, late or unmatched. */
export function event<T>(messageType: MessageType<T>, options: EventOptions<T>): EventSpec<T> {
  const correlation: Correlation<T> =
    'byId' in options
      ? { kind: 'id', value: options.byId }
      : 'byKey' in options
        ? { kind: 'key', key: options.byKey, value: options.value }
        : { kind: 'correlationId' };
  const whenMissing = options.whenMissing ?? 'fault';
  if (whenMissing === 'park' && !isPositiveDuration(options.parkLimitMs)) {
    throw new ConfigurationError(
      `Event on ${messageType.name}: whenMissing "park" needs parkLimitMs, a positive number of milliseconds, got ${String(options.parkLimitMs)}`,
    );
  }
  if (options.deferLimitMs !== undefined && !isPositiveDuration(options.deferLimitMs)) {
    throw new ConfigurationError(
      `Event on ${messageType.name}: deferLimitMs must be a positive number of milliseconds, got ${String(options.deferLimitMs)}`,
    );
  }
  if (options.sequence?.gapLimitMs !== undefined && !isPositiveDuration(options.sequence.gapLimitMs)) {
    throw new ConfigurationError(
      `Event on ${messageType.name}: sequence.gapLimitMs must be a positive number of milliseconds, got ${String(options.sequence.gapLimitMs)}`,
    );
  }
  if (options.sequence && !Number.isInteger(options.sequence.first ?? 1)) {
    throw new ConfigurationError(
      `Event on ${messageType.name}: sequence.first must be an integer, got ${String(options.sequence.first)}`,
    );
  }
  return {
    messageType,
    correlation,
    onUnexpected: options.onUnexpected ?? 'fault',
    deferLimitMs: options.deferLimitMs,
    whenMissing,
    parkLimitMs: options.parkLimitMs,
    sequence: options.sequence,
  };
}

function isPositiveDuration(value: number | undefined): boolean {
  return typeof value === 'number' && Number.isFinite(value) && value > 0;
}
