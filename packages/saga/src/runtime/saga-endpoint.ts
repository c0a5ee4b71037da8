import {
  ConfigurationError,
  type ConsumeContext,
  captureOutgoing,
  consumer,
  envelopeHeaders,
  type Middleware,
  type ReceiveEndpointDefinition,
  type ReceiveEndpointOptions,
  receiveEndpoint,
  SagaConcurrencyError,
  type SagaStore,
  type Scheduler,
  type TransactionalOptions,
  transactional,
  transactionOf,
  transportHeaders,
  uuidv7,
} from '@switchyard/bus';
import type { Activity } from '../definition/activities.ts';
import type { AnySagaDefinition } from '../definition/define-saga.ts';
import { HeldMessageExpiredType } from './held-message-expired.ts';
import { SagaEngine, type SagaOutcome } from './saga-engine.ts';

/** The envelope header that marks a message a saga scheduled to itself, naming the event. */
export const scheduledEventHeader = 'Switchyard-Saga-Scheduled-Event';

/** Where the saga's state lives and how its messages leave, plus the endpoint's own options. */
export type SagaEndpointOptions<Tx> = TransactionalOptions<Tx> &
  Omit<ReceiveEndpointOptions, 'consumers'> & {
    readonly store: SagaStore<Tx>;
    /** Needed when the definition schedules events or holds messages with a time limit. */
    readonly scheduler?: Scheduler<Tx>;
    /** The queue's name (default: the saga's name). */
    readonly endpointName?: string;
    /** Attempts at a message whose instance someone else changed first, before the bus's retry policy takes over (default 10). */
    readonly conflictAttempts?: number;
    /** The clock (ms since the epoch) for activities, holds and audit times; default `Date.now`. */
    readonly now?: () => number;
  };

/**
 * A receive endpoint that runs a saga: each event's message type is consumed there, and each message
 * is applied in one transaction with the instance, its audit rows, the inbox record, the messages it
 * produces and the timeouts it schedules. Conflicts with a concurrent change are retried at once. The
 * transaction gets the attempt's signal, so an attempt past the endpoint's timeout never commits.
 */
export function sagaEndpoint<Tx>(
  definition: AnySagaDefinition,
  options: SagaEndpointOptions<Tx>,
): ReceiveEndpointDefinition {
  const name = options.endpointName ?? definition.name;
  const scheduler = options.scheduler;
  if (!scheduler && needsScheduler(definition)) {
    throw new ConfigurationError(
      `Saga "${definition.name}" schedules events or holds messages with a time limit, so sagaEndpoint needs a scheduler (options.scheduler)`,
    );
  }
  const engine = new SagaEngine<Tx>(definition, options.store, options.now ? { now: options.now } : {});
  const ownQueue = `queue:${name}`;

  const apply = async (context: ConsumeContext, tx: Tx, outcome: SagaOutcome) => {
    // An instance that started in a slot keeps its conversation there, whichever slot handled this step.
    const slot = outcome.slot === undefined ? {} : { headers: { [envelopeHeaders.slot]: outcome.slot } };
    for (const effect of outcome.effects) {
      switch (effect.kind) {
        case 'publish':
          await context.publish(effect.messageType, effect.message, slot);
          break;
        case 'send':
          await context.send(effect.destination, effect.messageType, effect.message, slot);
          break;
        case 'request':
          await context.send(effect.destination, effect.messageType, effect.message, {
            ...slot,
            requestId: uuidv7(),
            correlationId: effect.sagaId,
            responseAddress: ownQueue,
            faultAddress: ownQueue,
          });
          break;
        case 'schedule': {
          const outgoing = await captureOutgoing(context, () =>
            context.send(ownQueue, effect.messageType, effect.message, {
              messageId: effect.token,
              headers: { ...slot.headers, [scheduledEventHeader]: effect.event },
            }),
          );
          await (scheduler as Scheduler<Tx>).schedule(
            { id: effect.token, dueAt: effect.dueAt, outgoing },
            tx,
          );
          break;
        }
        case 'expireHeld': {
          const outgoing = await captureOutgoing(context, () =>
            context.send(
              ownQueue,
              HeldMessageExpiredType,
              { sagaType: definition.name, sagaId: effect.sagaId, heldMessageId: effect.heldMessageId },
              { messageId: effect.token },
            ),
          );
          await (scheduler as Scheduler<Tx>).schedule(
            { id: effect.token, dueAt: effect.dueAt, outgoing },
            tx,
          );
          break;
        }
        case 'unschedule':
          await scheduler?.cancel(effect.token, tx);
          break;
        case 'expel': {
          // A new message id: the inbox remembers the original as handled, and a retry from the error queue must run.
          const outgoing = await captureOutgoing(context, () =>
            context.send(`queue:${name}_error`, effect.messageType, effect.held.message, {
              correlationId: effect.held.correlationId,
              headers: { 'Switchyard-Held-Message-Id': effect.held.messageId },
            }),
          );
          const headers = {
            ...outgoing.message.headers,
            [transportHeaders.reason]: 'fault',
            [transportHeaders.faultExceptionType]: 'SagaHeldMessageRefused',
            [transportHeaders.faultMessage]: effect.reason,
            [transportHeaders.faultTimestamp]: new Date().toISOString(),
            [transportHeaders.faultConsumerType]: definition.name,
            [transportHeaders.faultMessageType]: effect.messageType.name,
            [transportHeaders.sourceQueue]: name,
          };
          await context.outgoing.add({ ...outgoing, message: { ...outgoing.message, headers } });
          context.logger.warn(
            { saga: definition.name, heldMessageId: effect.held.messageId, reason: effect.reason },
            'Saga sent a held message to the error queue',
          );
          break;
        }
      }
    }
    context.logger.debug(
      { saga: definition.name, sagaId: outcome.sagaId, result: outcome.result, state: outcome.state },
      'Saga message handled',
    );
  };

  const consumers = Object.values(definition.events).map((event) =>
    consumer(
      event.messageType,
      async (message, context) => {
        const tx = transactionOf<Tx>(context);
        const scheduledAs = context.envelope.headers[scheduledEventHeader];
        const outcome = await engine.handle(tx, {
          event,
          message,
          messageId: context.envelope.messageId,
          correlationId: context.envelope.correlationId,
          scheduledAs: typeof scheduledAs === 'string' ? scheduledAs : undefined,
          endpoint: context.endpoint,
        });
        await apply(context as ConsumeContext, tx, outcome);
      },
      { name: definition.name },
    ),
  );
  consumers.push(
    consumer(
      HeldMessageExpiredType,
      async (expired, context) => {
        if (expired.sagaType !== definition.name) {
          throw new ConfigurationError(
            `Endpoint "${name}" runs saga "${definition.name}" but received an expiry for "${expired.sagaType}"`,
          );
        }
        const tx = transactionOf<Tx>(context);
        await apply(
          context as ConsumeContext,
          tx,
          await engine.expireHeld(tx, expired.sagaId, expired.heldMessageId),
        );
      },
      { name: definition.name },
    ),
  );
  const {
    store: _store,
    scheduler: _scheduler,
    endpointName: _endpointName,
    conflictAttempts,
    now: _now,
    middleware = [],
    concurrency,
    prefetch,
    retry,
    queueType,
    timeoutMs,
  } = options;
  return receiveEndpoint(name, {
    consumers,
    ...(concurrency !== undefined ? { concurrency } : {}),
    ...(prefetch !== undefined ? { prefetch } : {}),
    ...(retry !== undefined ? { retry } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    ...(queueType !== undefined ? { queueType } : {}),
    middleware: [...middleware, retryOnConflict(conflictAttempts ?? 10), transactional<Tx>(options)],
  });
}

/** Runs the rest of the pipeline again when a concurrent change to the same instance won the race. */
function retryOnConflict(attempts: number): Middleware {
  if (!Number.isInteger(attempts) || attempts < 1) {
    throw new ConfigurationError(`sagaEndpoint conflictAttempts must be an integer ≥ 1, got ${attempts}`);
  }
  return async (context, next) => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await next();
      } catch (error) {
        // An attempt past its timeout has no time left for another try; the bus's retry policy decides.
        if (!(error instanceof SagaConcurrencyError) || attempt >= attempts || context.signal.aborted)
          throw error;
        context.logger.debug({ attempt }, 'Saga instance changed concurrently; retrying');
        // A little jitter keeps two racing consumers from colliding again in step.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
      }
    }
  };
}

function needsScheduler(definition: AnySagaDefinition): boolean {
  const schedules = (activities: readonly Activity[]): boolean =>
    activities.some(
      (activity) =>
        activity.kind === 'schedule' ||
        (activity.kind === 'if' && (schedules(activity.whenTrue) || schedules(activity.whenFalse))),
    );
  const behaviours = definition.behaviours.some((behaviour) =>
    behaviour.kind === 'finally'
      ? schedules(behaviour.activities)
      : behaviour.clauses.some((clause) => schedules(clause.activities)),
  );
  const limits = Object.values(definition.events).some(
    (event) =>
      event.whenMissing === 'park' ||
      (event.onUnexpected === 'defer' && event.deferLimitMs !== undefined) ||
      event.sequence?.gapLimitMs !== undefined,
  );
  return behaviours || limits;
}
