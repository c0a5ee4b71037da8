import { hostname } from 'node:os';
import pino, { type Logger } from 'pino';
import type { Codec } from '../codec/codec.ts';
import { massTransitJsonCodec } from '../codec/masstransit-json-codec.ts';
import type { MessageType } from '../contracts/message-type.ts';
import {
  type ConsumeContext,
  composeMiddleware,
  type MessageOptions,
  type MessageProducer,
  type Middleware,
} from '../endpoint/consume-context.ts';
import { EndpointRunner } from '../endpoint/endpoint-runner.ts';
import type { DeliveryObserver, EndpointRuntime } from '../endpoint/endpoint-runtime.ts';
import { checkHandlerTimeout } from '../endpoint/handler-timeout.ts';
import type { ConsumerDefinition, ReceiveEndpointDefinition } from '../endpoint/receive-endpoint.ts';
import { parseDestination } from '../envelope/addresses.ts';
import type { HostInfo } from '../envelope/envelope.ts';
import { currentHost } from '../envelope/host-info.ts';
import { uuidv7 } from '../envelope/uuidv7.ts';
import { ConfigurationError } from '../errors.ts';
import { dispatchOutgoing } from '../outbox/outbox-dispatcher.ts';
import type { OutgoingMessage } from '../ports/outbox.ts';
import type { Scheduler } from '../ports/scheduler.ts';
import { checkRetryPolicy, defaultRetryPolicy, type RetryPolicy } from '../recoverability/retry-policy.ts';
import { buildTopology, mergeTopologies, type Topology } from '../topology/topology.ts';
import type { Transport, TransportHealth } from '../transport/transport.ts';
import { buildOutgoing, type ProducerScope } from './message-factory.ts';
import { RequestClient, type Response } from './request-client.ts';
import { BusStoppedError, RequestTimeoutError } from './request-errors.ts';

/** Everything a bus is made of. The bus starts and closes the transport. */
export interface BusOptions {
  readonly transport: Transport;
  readonly endpoints?: readonly ReceiveEndpointDefinition[];
  /** Codecs the bus reads; the first also writes (default: MassTransit's JSON envelope). */
  readonly codecs?: readonly Codec[];
  /** Needed for `scheduleSend`; the bus starts and stops it. */
  // biome-ignore lint/suspicious/noExplicitAny: the bus never passes a transaction, so any Tx fits
  readonly scheduler?: Scheduler<any>;
  /** Default: silent. The host passes its pino logger. */
  readonly logger?: Logger;
  /** Runs around every consumer on every endpoint, outside each endpoint's own middleware. */
  readonly middleware?: readonly Middleware[];
  readonly observers?: readonly DeliveryObserver[];
  /**
   * Started after the transport and before the endpoints, stopped after the endpoints drained and
   * before the transport closes: the outbox dispatcher, for example.
   */
  readonly services?: readonly BusService[];
  /**
   * How long one attempt of a consumer may run on endpoints that set no `timeoutMs` of their own
   * (default: no limit). Past it the attempt's signal aborts and the attempt fails once it settles.
   */
  readonly handlerTimeoutMs?: number;
  /**
   * How endpoints that set no `retry` of their own recover from a failing consumer (default: two
   * immediate retries, no redelivery). A host gives its endpoints delayed redelivery here, so that an
   * outage of a database or a broker longer than the immediate retries does not fill the error queues.
   */
  readonly retry?: RetryPolicy;
  /** Default timeout for `request` (30 s). */
  readonly requestTimeoutMs?: number;
  /** Names this instance's response queue (default: host name, process id and a random suffix). */
  readonly instanceName?: string;
}

/** Something that runs as long as the bus does. */
export interface BusService {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Options for `request`. */
export interface RequestOptions<R> extends MessageOptions {
  readonly responseType: MessageType<R>;
  /** Where to send the request; without it the request is published. */
  readonly destination?: string;
  readonly timeoutMs?: number;
}

/** Options for `stop`. */
export interface StopOptions {
  /** How long in-flight messages may take to finish before they are abandoned to the queue (default 30 s). */
  readonly deadlineMs?: number;
}

/** A token for a scheduled send, to cancel it. */
export interface ScheduledSend {
  readonly tokenId: string;
  readonly dueAt: Date;
}

/** What `health()` reports. */
export interface BusHealth {
  readonly state: 'stopped' | 'starting' | 'running' | 'stopping';
  readonly transport: TransportHealth;
  readonly endpoints: readonly { readonly name: string; readonly busy: number }[];
}

/** The bus: publish, send, request, schedule, and the receive endpoints that consume. */
export interface Bus extends MessageProducer {
  start(): Promise<void>;
  stop(options?: StopOptions): Promise<void>;
  /** Sends a request and resolves with the typed response, or rejects with a fault or a timeout. */
  request<T, R>(type: MessageType<T>, message: T, options: RequestOptions<R>): Promise<Response<R>>;
  /** Sends `message` to `destination` at `dueAt` through the scheduler. */
  scheduleSend<T>(
    destination: string,
    dueAt: Date,
    type: MessageType<T>,
    message: T,
    options?: MessageOptions,
  ): Promise<ScheduledSend>;
  /** Cancels a scheduled send; resolves false if it had already been sent or never existed. */
  cancelScheduledSend(tokenId: string): Promise<boolean>;
  /** The exchanges, queues and bindings this bus deploys. */
  topology(): Topology;
  health(): BusHealth;
}

const defaultStopDeadlineMs = 30_000;
/** After the deadline, handlers get this long to notice the abort signal before the transport closes. */
const abandonGraceMs = 1_000;

/** Creates a bus; nothing connects until `start()`. */
export function createBus(options: BusOptions): Bus {
  const transport = options.transport;
  const endpoints = options.endpoints ?? [];
  const codecs = options.codecs ?? [massTransitJsonCodec];
  const codec = codecs[0];
  if (!codec) throw new ConfigurationError('BusOptions.codecs must hold at least one codec');
  const logger = options.logger ?? pino({ enabled: false });
  const host: HostInfo = currentHost();
  const requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  checkUniqueEndpoints(endpoints);
  checkHandlerTimeout('BusOptions.handlerTimeoutMs', options.handlerTimeoutMs);
  if (options.retry) checkRetryPolicy('BusOptions', options.retry);

  const responseQueue =
    options.instanceName ?? `${safeName(hostname())}_${process.pid}_bus_${uuidv7().slice(-12)}`;
  const requests = new RequestClient(responseQueue, transport, codecs, logger);
  const topology = mergeTopologies(
    buildTopology(
      endpoints.map((endpoint) => ({
        name: endpoint.name,
        subscribes: [...new Set(endpoint.consumers.map((each) => each.messageType.entityName))],
        queueType: endpoint.queueType,
      })),
    ),
    requests.topology(),
  );

  let state: BusHealth['state'] = 'stopped';
  let abort = new AbortController();
  let runners: EndpointRunner[] = [];

  const dispatch = async (messages: readonly OutgoingMessage[]) => {
    for (const outgoing of messages) await dispatchOutgoing(transport, outgoing);
  };
  // Made once: every publish and send reads it.
  const busScope: ProducerScope = {
    codec,
    host,
    addressOf: (entity) => transport.addressOf(entity),
    sourceAddress: transport.addressOf(responseQueue),
  };
  const dispatchOne = (outgoing: OutgoingMessage): Promise<void> => dispatchOutgoing(transport, outgoing);
  const dispatchBuilt = (outgoing: OutgoingMessage | Promise<OutgoingMessage>): Promise<void> =>
    outgoing instanceof Promise ? outgoing.then(dispatchOne) : dispatchOne(outgoing);
  const assertRunning = (what: string) => {
    if (state !== 'running') throw new BusStoppedError(what);
  };

  const runtimeFor = (endpoint: ReceiveEndpointDefinition): EndpointRuntime => {
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
      codecs,
      codec,
      host,
      logger,
      pipelines,
      dispatch,
      signal: abort.signal,
      handlerTimeoutMs: endpoint.timeoutMs ?? options.handlerTimeoutMs,
      retry: endpoint.retry ?? options.retry ?? defaultRetryPolicy,
      observers: options.observers ?? [],
      producer: {
        codec,
        host,
        addressOf: (entity) => transport.addressOf(entity),
        sourceAddress: transport.addressOf(endpoint.name),
      },
    };
  };

  const bus: Bus = {
    async start() {
      if (state !== 'stopped') throw new ConfigurationError(`Cannot start a bus that is ${state}`);
      state = 'starting';
      abort = new AbortController();
      try {
        await transport.start();
        await transport.deploy(topology);
        await requests.start();
        for (const service of options.services ?? []) await service.start();
        await options.scheduler?.start(async (scheduled) => {
          try {
            await dispatch([scheduled.outgoing]);
          } catch (error) {
            logger.error(
              { err: error, scheduledId: scheduled.id },
              'Scheduled message could not be sent; will retry',
            );
            throw error;
          }
        });
        runners = endpoints.map((endpoint) => new EndpointRunner(runtimeFor(endpoint)));
        for (const runner of runners) await runner.start();
        state = 'running';
        logger.info(
          { endpoints: endpoints.map((each) => each.name), transport: transport.name },
          'Bus started',
        );
      } catch (error) {
        state = 'stopped';
        await transport.close().catch(() => {});
        throw error;
      }
    },

    async stop(stopOptions = {}) {
      if (state !== 'running') return;
      state = 'stopping';
      const deadlineMs = stopOptions.deadlineMs ?? defaultStopDeadlineMs;
      for (const runner of runners) await runner.stopTaking();
      const drained = Promise.all(runners.map((runner) => runner.drained()));
      const finished = await Promise.race([drained.then(() => true), delay(deadlineMs).then(() => false)]);
      if (!finished) {
        logger.warn(
          { deadlineMs },
          'Stop deadline passed with messages in flight; abandoning them to their queues',
        );
        abort.abort(new BusStoppedError('Stop deadline passed'));
        await Promise.race([drained, delay(abandonGraceMs)]);
      }
      await options.scheduler?.stop();
      for (const service of [...(options.services ?? [])].reverse()) await service.stop();
      await requests.stop();
      await transport.close();
      runners = [];
      state = 'stopped';
      logger.info('Bus stopped');
    },

    // Not async functions: every message a producer sends passes here, and with a synchronous schema
    // there is nothing to wait for before the broker. Whatever throws still comes back as a rejection.
    publish(type, message, messageOptions) {
      try {
        assertRunning(`Cannot publish ${type.name}`);
        return dispatchBuilt(buildOutgoing(busScope, publishTarget, type, message, messageOptions));
      } catch (error) {
        return Promise.reject(error);
      }
    },

    send(destination, type, message, messageOptions) {
      try {
        assertRunning(`Cannot send ${type.name}`);
        const target = { kind: 'send' as const, destination: parseDestination(destination) };
        return dispatchBuilt(buildOutgoing(busScope, target, type, message, messageOptions));
      } catch (error) {
        return Promise.reject(error);
      }
    },

    async request(type, message, requestOptions) {
      assertRunning(`Cannot request ${type.name}`);
      const timeoutMs = requestOptions.timeoutMs ?? requestTimeoutMs;
      const requestId = requestOptions.requestId ?? uuidv7();
      const { responseType, destination, timeoutMs: _timeout, ...messageOptions } = requestOptions;
      const target = destination
        ? { kind: 'send' as const, destination: parseDestination(destination) }
        : { kind: 'publish' as const };
      const outgoing = await buildOutgoing(busScope, target, type, message, {
        ...messageOptions,
        requestId,
        responseAddress: transport.addressOf(responseQueue),
        timeToLiveMs: messageOptions.timeToLiveMs ?? timeoutMs,
      });
      const response = requests.expect(requestId, type.name, responseType);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new RequestTimeoutError(type.name, requestId, timeoutMs)), timeoutMs);
      });
      // The timeout covers sending too (a broker that is down makes the send wait), so either promise may
      // settle before it is raced; marked as handled here, it cannot end the process as an unhandled rejection.
      timeout.catch(() => {});
      response.catch(() => {});
      try {
        await Promise.race([dispatch([outgoing]), timeout]);
        return await Promise.race([response, timeout]);
      } finally {
        clearTimeout(timer);
        requests.forget(requestId);
      }
    },

    async scheduleSend(destination, dueAt, type, message, messageOptions) {
      assertRunning(`Cannot schedule ${type.name}`);
      const scheduler = options.scheduler;
      if (!scheduler) {
        throw new ConfigurationError(
          `Cannot schedule ${type.name}: the bus has no scheduler (BusOptions.scheduler); pass MemoryScheduler or the PostgreSQL scheduler`,
        );
      }
      const target = { kind: 'send' as const, destination: parseDestination(destination) };
      const outgoing = await buildOutgoing(busScope, target, type, message, messageOptions);
      const tokenId = uuidv7();
      await scheduler.schedule({ id: tokenId, dueAt, outgoing });
      return { tokenId, dueAt };
    },

    async cancelScheduledSend(tokenId) {
      if (!options.scheduler) return false;
      return options.scheduler.cancel(tokenId);
    },

    topology: () => topology,

    health: () => ({
      state,
      transport: transport.health(),
      endpoints: runners.map((runner) => ({ name: runner.name, busy: runner.busy })),
    }),
  };
  return bus;
}

function checkUniqueEndpoints(endpoints: readonly ReceiveEndpointDefinition[]): void {
  const seen = new Set<string>();
  for (const endpoint of endpoints) {
    if (seen.has(endpoint.name)) {
      throw new ConfigurationError(
        `Two receive endpoints are named "${endpoint.name}"; endpoint names must be unique`,
      );
    }
    seen.add(endpoint.name);
  }
}

function safeName(text: string): string {
  return text.replace(/[^A-Za-z0-9]/g, '').slice(0, 32) || 'host';
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
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

const publishTarget = Object.freeze({ kind: 'publish' as const });
