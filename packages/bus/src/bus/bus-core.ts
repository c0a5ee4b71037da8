import { hostname } from 'node:os';
import pino, { type Logger } from 'pino';
import type { Codec } from '../codec/codec.ts';
import { massTransitJsonCodec } from '../codec/masstransit-json-codec.ts';
import type { MessageType } from '../contracts/message-type.ts';
import type { EndpointRunner } from '../endpoint/endpoint-runner.ts';
import { checkHandlerTimeout } from '../endpoint/handler-timeout.ts';
import type { ReceiveEndpointDefinition } from '../endpoint/receive-endpoint.ts';
import type { HostInfo } from '../envelope/envelope.ts';
import { currentHost } from '../envelope/host-info.ts';
import { uuidv7 } from '../envelope/uuidv7.ts';
import { ConfigurationError } from '../errors.ts';
import { composeOutbound, type OutboundPipeline } from '../middleware.ts';
import { traceContext } from '../observability/telemetry.ts';
import { dispatchOutgoing } from '../outbox/outbox-dispatcher.ts';
import type { OutgoingMessage } from '../ports/outbox.ts';
import { checkRetryPolicy } from '../recoverability/retry-policy.ts';
import { checkSlotName, slotQueueName } from '../slots/slot-routing.ts';
import { buildTopology, mergeTopologies, type Topology } from '../topology/topology.ts';
import type { Transport } from '../transport/transport.ts';
import type { BusHealth, BusOptions } from './bus-options.ts';
import { defaultOutbound, slotAffinity } from './default-outbound.ts';
import type { ProducerScope } from './message-factory.ts';
import { RequestClient } from './request-client.ts';

/**
 * What every part of a bus works on: its options checked and its fixed parts made once, and the few
 * facts that change as it starts and stops. The lifecycle, the producer paths and the endpoint
 * runtimes are functions over it; `createBus` hands it to them.
 */
export interface BusCore {
  readonly options: BusOptions;
  readonly transport: Transport;
  readonly endpoints: readonly ReceiveEndpointDefinition[];
  readonly codecs: readonly Codec[];
  /** The codec the bus writes with: the first of `codecs`. */
  readonly codec: Codec;
  readonly logger: Logger;
  readonly host: HostInfo;
  readonly requestTimeoutMs: number;
  /** This instance's queue for responses to its requests. */
  readonly responseQueue: string;
  readonly requests: RequestClient;
  readonly topology: Topology;
  /** The bus's stamps and the application's outbound middleware, composed once. */
  readonly outbound: OutboundPipeline;
  /** What every message the bus itself produces shares. Made once: every publish and send reads it. */
  readonly scope: ProducerScope;
  /** Where the bus's own publishes, sends and requests go once built: the transport. */
  readonly toTransport: (outgoing: OutgoingMessage) => Promise<void>;
  state: BusHealth['state'];
  /** Aborted when the stop deadline passes; a new one for each start. */
  abort: AbortController;
  runners: EndpointRunner[];
}

/** Checks the options and makes what a bus keeps for its whole life; nothing connects. */
export function createBusCore(options: BusOptions): BusCore {
  const transport = options.transport;
  if (options.slot !== undefined) checkSlotName('BusOptions.slot', options.slot);
  const endpoints = inSlot(options.endpoints ?? [], options.slot);
  const codecs = options.codecs ?? [massTransitJsonCodec];
  const codec = codecs[0];
  if (!codec) throw new ConfigurationError('BusOptions.codecs must hold at least one codec');
  const logger = options.logger ?? pino({ enabled: false });
  const host = currentHost();
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
        entry: entryOf.get(endpoint),
        subscribes: [...new Set(endpoint.consumers.map((each) => each.messageType.entityName))],
        queueType: endpoint.queueType,
      })),
    ),
    requests.topology(),
  );
  const stamps =
    options.slot === undefined && options.slotFollowsLive === undefined
      ? defaultOutbound
      : [
          slotAffinity({ slot: options.slot, followsLive: followsLiveOf(options.slotFollowsLive) }),
          traceContext,
        ];
  const outbound = composeOutbound([...stamps, ...(options.outbound ?? [])]);
  return {
    options,
    transport,
    endpoints,
    codecs,
    codec,
    logger,
    host,
    requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
    responseQueue,
    requests,
    topology,
    outbound,
    scope: {
      codec,
      host,
      addressOf: (entity) => transport.addressOf(entity),
      sourceAddress: transport.addressOf(responseQueue),
      outbound,
    },
    toTransport: (outgoing) => dispatchOutgoing(transport, outgoing),
    state: 'stopped',
    abort: new AbortController(),
    runners: [],
  };
}

/** The entry (service) name of each endpoint renamed for its slot: what senders and message types address. */
const entryOf = new WeakMap<ReceiveEndpointDefinition, string>();

/** The endpoints as they run in `slot`: each consumes from `<name>@<slot>`, entered through `<name>`. */
function inSlot(
  endpoints: readonly ReceiveEndpointDefinition[],
  slot: string | undefined,
): readonly ReceiveEndpointDefinition[] {
  if (slot === undefined) return endpoints;
  return endpoints.map((endpoint) => {
    const slotted = { ...endpoint, name: slotQueueName(endpoint.name, slot) };
    entryOf.set(slotted, endpoint.name);
    return slotted;
  });
}

function followsLiveOf(
  types: readonly MessageType[] | undefined,
): ((type: MessageType) => boolean) | undefined {
  if (!types || types.length === 0) return undefined;
  const names = new Set(types.map((type) => type.entityName));
  return (type) => names.has(type.entityName);
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
