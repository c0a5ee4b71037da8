import { type ConsumeContext, composeMiddleware } from '../endpoint/consume-context.ts';
import type { EndpointRuntime } from '../endpoint/endpoint-runtime.ts';
import type { ConsumerDefinition, ReceiveEndpointDefinition } from '../endpoint/receive-endpoint.ts';
import { dispatchOutgoing } from '../outbox/outbox-dispatcher.ts';
import type { OutgoingMessage } from '../ports/outbox.ts';
import { defaultRetryPolicy } from '../recoverability/retry-policy.ts';
import type { BusCore } from './bus-core.ts';

/** What one receive endpoint needs from the bus, made at each start (it carries that start's abort signal). */
export function endpointRuntime(core: BusCore, endpoint: ReceiveEndpointDefinition): EndpointRuntime {
  const { options, transport } = core;
  const pipelines = new Map<ConsumerDefinition, (context: ConsumeContext) => Promise<void>>();
  for (const each of endpoint.consumers) {
    pipelines.set(
      each,
      composeMiddleware([...(options.middleware ?? []), ...endpoint.middleware], (context) =>
        settledOf(each.handler(context.message, context)),
      ),
    );
  }
  return {
    endpoint,
    transport,
    codecs: core.codecs,
    codec: core.codec,
    host: core.host,
    logger: core.logger,
    pipelines,
    dispatch: (messages) => dispatchAll(core, messages),
    signal: core.abort.signal,
    handlerTimeoutMs: endpoint.timeoutMs ?? options.handlerTimeoutMs,
    retry: endpoint.retry ?? options.retry ?? defaultRetryPolicy,
    observers: options.observers ?? [],
    producer: {
      codec: core.codec,
      host: core.host,
      addressOf: (entity) => transport.addressOf(entity),
      sourceAddress: transport.addressOf(endpoint.name),
      outbound: core.outbound,
    },
  };
}

/** Hands messages to the transport one after another, each once the one before is confirmed. */
export async function dispatchAll(core: BusCore, messages: readonly OutgoingMessage[]): Promise<void> {
  for (const outgoing of messages) await dispatchOutgoing(core.transport, outgoing);
}

const settledVoid: Promise<void> = Promise.resolve();

/**
 * A handler's result as the promise the pipeline awaits: its own promise (or thenable) when it returned one, else
 * one already settled. Not an async wrapper, which would cost every message a promise and a frame; a
 * handler that throws at once throws to the caller, which awaits inside its own try.
 */
function settledOf(result: unknown): Promise<void> {
  const thenable = typeof (result as { then?: unknown } | undefined)?.then === 'function';
  return thenable ? (result as Promise<void>) : settledVoid;
}
