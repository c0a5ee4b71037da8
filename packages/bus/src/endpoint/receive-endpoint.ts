import type { MessageType } from '../contracts/message-type.ts';
import { ConfigurationError } from '../errors.ts';
import { checkRetryPolicy, type RetryPolicy } from '../recoverability/retry-policy.ts';
import type { QueueType } from '../topology/topology.ts';
import type { ConsumeContext, Middleware } from './consume-context.ts';
import { checkHandlerTimeout } from './handler-timeout.ts';

/** Handles one message type: a function of the message and its context. */
export type Handler<T> = (message: T, context: ConsumeContext<T>) => Promise<void> | void;

/** A consumer: which type it handles, how, and under what name. */
export interface ConsumerDefinition<T = unknown> {
  readonly messageType: MessageType<T>;
  readonly handler: Handler<T>;
  readonly name: string;
}

/** Declares a consumer of `type`; `name` defaults to the handler function's name or the type's name. */
export function consumer<T>(
  type: MessageType<T>,
  handler: Handler<T>,
  options: { name?: string } = {},
): ConsumerDefinition {
  const name = options.name ?? (handler.name && handler.name !== 'handler' ? handler.name : type.name);
  return { messageType: type, handler, name } as ConsumerDefinition;
}

/** Options for a receive endpoint. */
export interface ReceiveEndpointOptions {
  readonly consumers: readonly ConsumerDefinition[];
  /** Messages handled at once (default 8). */
  readonly concurrency?: number;
  /** Messages the transport hands over before they are settled (default: twice the concurrency). */
  readonly prefetch?: number;
  /** Default: the bus's `retry`, else two immediate retries and no redelivery. */
  readonly retry?: RetryPolicy;
  /**
   * How long one attempt of a consumer may run, middleware and transaction included, before its
   * signal aborts and the attempt counts as failed (default: the bus's `handlerTimeoutMs`, else none).
   */
  readonly timeoutMs?: number;
  /** Runs, in order, around every consumer of this endpoint, inside the bus-wide middleware. */
  readonly middleware?: readonly Middleware[];
  readonly queueType?: QueueType;
}

/** A named receive endpoint: a queue and the consumers that handle what arrives on it. */
export interface ReceiveEndpointDefinition {
  readonly name: string;
  readonly consumers: readonly ConsumerDefinition[];
  readonly concurrency: number;
  readonly prefetch: number;
  /** Undefined: the bus's `retry` applies, else the default (two immediate retries). */
  readonly retry: RetryPolicy | undefined;
  /** Undefined: the bus's `handlerTimeoutMs` applies. */
  readonly timeoutMs: number | undefined;
  readonly middleware: readonly Middleware[];
  readonly queueType: QueueType;
}

const endpointNamePattern = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;

/** Declares a receive endpoint, checking its options with errors that name the field and the rule. */
export function receiveEndpoint(name: string, options: ReceiveEndpointOptions): ReceiveEndpointDefinition {
  if (!endpointNamePattern.test(name)) {
    throw new ConfigurationError(
      `Endpoint name "${name}" must start with a letter or digit and use only letters, digits, ".", "_", ":" and "-"`,
    );
  }
  const concurrency = options.concurrency ?? 8;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new ConfigurationError(`Endpoint "${name}" concurrency must be an integer ≥ 1, got ${concurrency}`);
  }
  const prefetch = options.prefetch ?? concurrency * 2;
  if (!Number.isInteger(prefetch) || prefetch < concurrency) {
    throw new ConfigurationError(
      `Endpoint "${name}" prefetch must be an integer ≥ its concurrency (${concurrency}), got ${prefetch}`,
    );
  }
  const names = new Set<string>();
  for (const each of options.consumers) {
    const key = `${each.name}\u0000${each.messageType.urn}`;
    if (names.has(key)) {
      throw new ConfigurationError(
        `Endpoint "${name}" has two consumers named "${each.name}" for "${each.messageType.name}"; give them distinct names`,
      );
    }
    names.add(key);
  }
  const retry = options.retry;
  if (retry) checkRetryPolicy(`Endpoint "${name}"`, retry);
  checkHandlerTimeout(`Endpoint "${name}" timeoutMs`, options.timeoutMs);
  return {
    name,
    consumers: options.consumers,
    concurrency,
    prefetch,
    retry,
    timeoutMs: options.timeoutMs,
    middleware: options.middleware ?? [],
    queueType: options.queueType ?? 'classic',
  };
}

/** The consumers of one message type on an endpoint, with that type. */
export interface ConsumerMatch {
  readonly type: MessageType;
  readonly consumers: readonly ConsumerDefinition[];
}

/** Each endpoint's consumers by URN, found once per URN: every message asks, and the answer never changes. */
const matchesByEndpoint = new WeakMap<ReceiveEndpointDefinition, Map<string, ConsumerMatch | null>>();

/** The consumers for the first of `urns` that this endpoint handles, with its message type. */
export function consumersFor(
  endpoint: ReceiveEndpointDefinition,
  urns: readonly string[],
): ConsumerMatch | undefined {
  let matches = matchesByEndpoint.get(endpoint);
  if (!matches) {
    matches = new Map();
    matchesByEndpoint.set(endpoint, matches);
  }
  for (const urn of urns) {
    let match = matches.get(urn);
    if (match === undefined) {
      const matching = endpoint.consumers.filter((each) => each.messageType.urn === urn);
      const first = matching[0];
      match = first ? { type: first.messageType, consumers: matching } : null;
      // Only URNs this endpoint handles are kept: a stream of unknown ones cannot grow the map.
      if (match) matches.set(urn, match);
    }
    if (match) return match;
  }
  return undefined;
}
