import {
  type BusService,
  type MemoryBroker,
  type MemoryOutbox,
  type MemoryTransaction,
  MemoryTransport,
  OutboxDispatcher,
  type Transport,
} from '@switchyard/bus';

/**
 * An outbox dispatcher sending through a transport of its own on `broker`, as a process's dispatcher
 * does beside its endpoints, and the harness services that start and stop both. `wrap` puts a test
 * double around that transport (one whose first publishes fail, say).
 */
export function outboxDispatching(
  broker: MemoryBroker,
  outbox: MemoryOutbox,
  options: { sweepIntervalMs?: number; wrap?: (transport: MemoryTransport) => Transport } = {},
): { dispatcher: OutboxDispatcher<MemoryTransaction>; services: BusService[] } {
  const transport = new MemoryTransport(broker);
  const dispatcher = new OutboxDispatcher({
    outbox,
    transport: options.wrap?.(transport) ?? transport,
    sweepIntervalMs: options.sweepIntervalMs ?? 20,
  });
  return {
    dispatcher,
    services: [{ start: () => transport.start(), stop: () => transport.close() }, dispatcher],
  };
}
