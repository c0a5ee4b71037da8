/**
 * A transport-neutral description of where messages go: exchanges (topics), queues, and the bindings
 * between them. Transports deploy it; the slots work diffs two of them. Names follow MassTransit's
 * conventions so a .NET service and a Switchyard service can share a broker.
 */
export interface Topology {
  readonly exchanges: readonly ExchangeSpec[];
  readonly queues: readonly QueueSpec[];
  readonly bindings: readonly BindingSpec[];
}

/** What an exchange is for; transports may treat roles differently (for example, only fanout here). */
export type ExchangeRole = 'message-type' | 'endpoint' | 'error' | 'skipped' | 'response';

/** A fanout exchange: every message sent to it goes to every bound exchange and queue. */
export interface ExchangeSpec {
  readonly name: string;
  readonly role: ExchangeRole;
  readonly durable: boolean;
  readonly autoDelete: boolean;
}

/** What a queue is for. */
export type QueueRole = 'endpoint' | 'error' | 'skipped' | 'response';

/** Queue implementations a transport may offer; quorum queues replicate, classic ones do not. */
export type QueueType = 'classic' | 'quorum';

/** A queue with its durability and type. */
export interface QueueSpec {
  readonly name: string;
  readonly role: QueueRole;
  readonly durable: boolean;
  readonly autoDelete: boolean;
  readonly queueType: QueueType;
}

/** Messages arriving at `source` (an exchange) also go to `destination`, an exchange or a queue. */
export interface BindingSpec {
  readonly source: string;
  readonly destination: string;
  readonly destinationType: 'exchange' | 'queue';
}

/** What the topology is derived from: each receive endpoint and the message types it consumes. */
export interface EndpointTopologyInput {
  readonly name: string;
  /** Exchange names (`MessageType.entityName`) of the types its consumers subscribe to. */
  readonly subscribes: readonly string[];
  readonly queueType?: QueueType;
  /** A response endpoint lives as long as one bus instance: not durable, deleted with its consumer. */
  readonly temporary?: boolean;
  /**
   * For an endpoint running in a slot (`name` is then `<entry>@<slot>`): the exchange senders and message
   * types address. It is declared, and message types bind to it, but it is bound to no queue: the
   * slots' routing leads it to a slot.
   */
  readonly entry?: string | undefined;
}

/** The names of an endpoint's error and skipped queues, as MassTransit names them. */
export function errorQueueName(endpoint: string): string {
  return `${endpoint}_error`;
}

/** The name of the queue that holds messages no consumer on `endpoint` understood. */
export function skippedQueueName(endpoint: string): string {
  return `${endpoint}_skipped`;
}

/**
 * Derives the topology for a set of endpoints: per endpoint a queue and an exchange of the same name
 * bound to it; per subscribed message type a fanout exchange bound to the endpoint's exchange; per
 * durable endpoint `<name>_error` and `<name>_skipped`, each an exchange bound to a queue.
 */
export function buildTopology(endpoints: readonly EndpointTopologyInput[]): Topology {
  const exchanges = new Map<string, ExchangeSpec>();
  const queues = new Map<string, QueueSpec>();
  const bindings = new Map<string, BindingSpec>();
  const addExchange = (spec: ExchangeSpec) => {
    if (!exchanges.has(spec.name)) exchanges.set(spec.name, spec);
  };
  const bind = (spec: BindingSpec) => {
    bindings.set(bindingKey(spec), spec);
  };
  const queueWithExchange = (name: string, role: QueueRole, durable: boolean, queueType: QueueType) => {
    queues.set(name, {
      name,
      role,
      durable,
      autoDelete: !durable,
      queueType: durable ? queueType : 'classic',
    });
    addExchange({ name, role, durable, autoDelete: !durable });
    bind({ source: name, destination: name, destinationType: 'queue' });
  };

  for (const endpoint of endpoints) {
    const durable = !endpoint.temporary;
    const queueType = endpoint.queueType ?? 'classic';
    queueWithExchange(endpoint.name, endpoint.temporary ? 'response' : 'endpoint', durable, queueType);
    const entry = endpoint.entry ?? endpoint.name;
    if (entry !== endpoint.name)
      addExchange({ name: entry, role: 'endpoint', durable: true, autoDelete: false });
    for (const messageExchange of endpoint.subscribes) {
      addExchange({ name: messageExchange, role: 'message-type', durable: true, autoDelete: false });
      bind({ source: messageExchange, destination: entry, destinationType: 'exchange' });
    }
    if (durable) {
      queueWithExchange(errorQueueName(endpoint.name), 'error', true, queueType);
      queueWithExchange(skippedQueueName(endpoint.name), 'skipped', true, queueType);
    }
  }
  return sorted({
    exchanges: [...exchanges.values()],
    queues: [...queues.values()],
    bindings: [...bindings.values()],
  });
}

/** All the topologies together, for a process that deploys several sets of endpoints at once. */
export function mergeTopologies(...topologies: readonly Topology[]): Topology {
  const exchanges = new Map<string, ExchangeSpec>();
  const queues = new Map<string, QueueSpec>();
  const bindings = new Map<string, BindingSpec>();
  for (const topology of topologies) {
    for (const exchange of topology.exchanges) exchanges.set(exchange.name, exchange);
    for (const queue of topology.queues) queues.set(queue.name, queue);
    for (const binding of topology.bindings) bindings.set(bindingKey(binding), binding);
  }
  return sorted({
    exchanges: [...exchanges.values()],
    queues: [...queues.values()],
    bindings: [...bindings.values()],
  });
}

/** One order for every topology, by name, so that equal topologies compare and print equal. */
function sorted(topology: Topology): Topology {
  const byName = <T extends { name: string }>(a: T, b: T) => a.name.localeCompare(b.name);
  return {
    exchanges: [...topology.exchanges].sort(byName),
    queues: [...topology.queues].sort(byName),
    bindings: [...topology.bindings].sort(
      (a, b) => a.source.localeCompare(b.source) || a.destination.localeCompare(b.destination),
    ),
  };
}

/** Identifies a binding: the same source, destination and destination type is the same binding. */
function bindingKey(binding: BindingSpec): string {
  return `${binding.source}\u0000${binding.destinationType}\u0000${binding.destination}`;
}

/**
 * The part of a topology that outlives its process: without temporary (auto-delete) queues and
 * exchanges, such as a process's response queue, whose name changes every run. What a plan of the
 * broker's lasting topology should list.
 */
export function lastingTopology(topology: Topology): Topology {
  const temporary = new Set([
    ...topology.queues.filter((queue) => queue.autoDelete).map((queue) => queue.name),
    ...topology.exchanges.filter((exchange) => exchange.autoDelete).map((exchange) => exchange.name),
  ]);
  return {
    exchanges: topology.exchanges.filter((exchange) => !temporary.has(exchange.name)),
    queues: topology.queues.filter((queue) => !temporary.has(queue.name)),
    bindings: topology.bindings.filter(
      (binding) => !temporary.has(binding.source) && !temporary.has(binding.destination),
    ),
  };
}
